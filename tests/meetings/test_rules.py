"""Issue 8 acceptance 1: the best slot, table-driven: 5 invitees, 4 slots."""

from datetime import UTC, datetime

import pytest

from broker.meetings.models import Answer
from broker.meetings.rules import InviteeFacts, SlotFacts, best_slot, ranked

SLOTS = [SlotFacts(f"s{n}", datetime(2026, 12, n, 9, tzinfo=UTC)) for n in (1, 2, 3, 4)]
INVITEES = [InviteeFacts("regisseur", True, False), InviteeFacts("mother", True, True),
            InviteeFacts("school", True, False), InviteeFacts("gp", False, False),
            InviteeFacts("housing", False, False)]
Y, M, N = Answer.YES, Answer.IF_NEED_BE, Answer.NO


def answers(table: dict[str, str]) -> dict[tuple[str, str], Answer]:
    """`table`: per invitee four letters for s1..s4: y(es), m(aybe: if need be), n(o), -."""
    letters = {"y": Y, "m": M, "n": N}
    return {(who, f"s{n + 1}"): letters[c] for who, row in table.items()
            for n, c in enumerate(row) if c != "-"}


@pytest.mark.parametrize(("table", "best", "compromise"), [
    pytest.param({"regisseur": "yyyy", "mother": "yyyy", "school": "yyyy", "gp": "nyyn",
                  "housing": "nnyy"}, "s3", False, id="most yes wins"),
    pytest.param({"regisseur": "yyyy", "mother": "yyyy", "school": "yyyy", "gp": "ynny",
                  "housing": "mnnm"}, "s1", False, id="tie on yes and maybe: earliest"),
    pytest.param({"regisseur": "yyyy", "mother": "yyyy", "school": "yyyy", "gp": "nmmn",
                  "housing": "nnmn"}, "s3", False, id="tie on yes: most if-need-be"),
    pytest.param({"regisseur": "yyyy", "mother": "nyyy", "school": "yyyy", "gp": "yynn",
                  "housing": "yynn"}, "s2", False, id="a required no rules out the best"),
    pytest.param({"regisseur": "yyyy", "mother": "mnnn", "school": "yyyy", "gp": "yyyy",
                  "housing": "yyyy"}, "s1", True, id="a parent's if-need-be: compromise"),
    pytest.param({"regisseur": "yyyy", "mother": "yyyy", "school": "mmmm", "gp": "yyyy",
                  "housing": "yyyy"}, "s1", True,
                 id="a professional's if-need-be counts too: compromise"),
    pytest.param({"regisseur": "yyyy", "mother": "nnnn", "school": "mmmm", "gp": "yyyy",
                  "housing": "yyyy"}, None, False, id="a required no everywhere: none"),
    pytest.param({"regisseur": "yyyy", "mother": "yy-y", "school": "yyyy", "gp": "nnyn",
                  "housing": "nnyn"}, "s1", False, id="no answer from a required invitee"),
])
def test_best_slot_follows_the_rules(table: dict[str, str], best: str | None,
                                     compromise: bool) -> None:
    chosen = best_slot(SLOTS, INVITEES, answers(table))
    if best is None:
        assert chosen is None
        assert not any(s.all_required for s in ranked(SLOTS, INVITEES, answers(table)))
    else:
        assert chosen is not None and chosen.slot.id == best
        assert chosen.compromise is compromise


class TestIssue20Acceptance4BestSlot:
    """Issue 20 acceptance 4: three required invitees answer (no, yes, yes), (yes, if need
    be, yes) and (yes, yes, no); the organiser, who proposed the slots, does not answer."""

    SLOTS = SLOTS[:3]
    INVITEES = [InviteeFacts("regisseur", True, False, organiser=True),
                InviteeFacts("school", True, False), InviteeFacts("gp", True, False),
                InviteeFacts("mother", True, True)]
    TABLE = {"school": "nyy", "gp": "ymy", "mother": "yyn"}

    def test_the_second_slot_is_chosen_without_the_organiser_answering(self) -> None:
        chosen = best_slot(self.SLOTS, self.INVITEES, answers(self.TABLE))
        assert chosen is not None and chosen.slot.id == "s2"
        assert chosen.compromise and chosen.if_need_be_required == ("gp",)
        scores = {s.slot.id: s for s in ranked(self.SLOTS, self.INVITEES, answers(self.TABLE))}
        assert scores["s1"].unavailable_required == ("school",)
        assert scores["s3"].unavailable_required == ("mother",)

    def test_the_organiser_saying_no_counts(self) -> None:
        table = self.TABLE | {"regisseur": "yny"}
        assert best_slot(self.SLOTS, self.INVITEES, answers(table)) is None

    def test_yes_ranks_above_if_need_be(self) -> None:
        table = {"school": "yyy", "gp": "ymy", "mother": "myy"}
        chosen = best_slot(self.SLOTS, self.INVITEES, answers(table))
        assert chosen is not None and chosen.slot.id == "s3"
