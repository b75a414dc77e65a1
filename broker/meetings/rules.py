"""Which slot: every required invitee available (a family member's "if need be" counts, but
marks the slot a compromise), then most yes, then most if-need-be, then earliest."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from broker.meetings.models import Answer


@dataclass(frozen=True)
class SlotFacts:
    id: str
    start: datetime


@dataclass(frozen=True)
class InviteeFacts:
    id: str
    required: bool
    family: bool  # a household member


@dataclass(frozen=True)
class SlotScore:
    slot: SlotFacts
    all_required: bool
    compromise: bool
    yes: int
    if_need_be: int
    unavailable_required: tuple[str, ...]  # invitee ids


def score(slot: SlotFacts, invitees: Sequence[InviteeFacts],
          answers: Mapping[tuple[str, str], Answer]) -> SlotScore:
    """`answers` by (invitee id, slot id); no answer from a required invitee: unavailable."""
    given = [answers.get((i.id, slot.id)) for i in invitees]
    missing, compromise = [], False
    for invitee, answer in zip(invitees, given, strict=True):
        if not invitee.required or answer is Answer.YES:
            continue
        if answer is Answer.IF_NEED_BE and invitee.family:
            compromise = True
        else:
            missing.append(invitee.id)
    return SlotScore(slot, not missing, compromise, given.count(Answer.YES),
                     given.count(Answer.IF_NEED_BE), tuple(missing))


def ranked(slots: Sequence[SlotFacts], invitees: Sequence[InviteeFacts],
           answers: Mapping[tuple[str, str], Answer]) -> list[SlotScore]:
    """All slots, best first."""
    return sorted((score(s, invitees, answers) for s in slots),
                  key=lambda x: (not x.all_required, -x.yes, -x.if_need_be, x.slot.start))


def best_slot(slots: Sequence[SlotFacts], invitees: Sequence[InviteeFacts],
              answers: Mapping[tuple[str, str], Answer]) -> SlotScore | None:
    """The best slot every required invitee can make, or None."""
    best = ranked(slots, invitees, answers)
    return best[0] if best and best[0].all_required else None
