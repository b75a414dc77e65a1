"""Which slot: every required invitee available ("if need be" counts as available for
everyone, but marks the slot a compromise; the organiser is available on the slots they
proposed unless they answer otherwise), then most yes, then most if-need-be, then earliest."""

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
    organiser: bool = False  # proposed the slots: available unless they say otherwise


@dataclass(frozen=True)
class SlotScore:
    slot: SlotFacts
    all_required: bool
    compromise: bool  # a required invitee can only if need be
    yes: int
    if_need_be: int
    unavailable_required: tuple[str, ...]  # invitee ids
    if_need_be_required: tuple[str, ...] = ()  # invitee ids


def _answer(invitee: InviteeFacts, slot: SlotFacts,
            answers: Mapping[tuple[str, str], Answer]) -> Answer | None:
    given = answers.get((invitee.id, slot.id))
    return Answer.YES if given is None and invitee.organiser else given


def score(slot: SlotFacts, invitees: Sequence[InviteeFacts],
          answers: Mapping[tuple[str, str], Answer]) -> SlotScore:
    """`answers` by (invitee id, slot id); no answer from a required invitee other than the
    organiser: unavailable."""
    given = [_answer(i, slot, answers) for i in invitees]
    missing, reluctant = [], []
    for invitee, answer in zip(invitees, given, strict=True):
        if not invitee.required or answer is Answer.YES:
            continue
        if answer is Answer.IF_NEED_BE:
            reluctant.append(invitee.id)
        else:
            missing.append(invitee.id)
    return SlotScore(slot, not missing, bool(reluctant), given.count(Answer.YES),
                     given.count(Answer.IF_NEED_BE), tuple(missing), tuple(reluctant))


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
