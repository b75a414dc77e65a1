"""Meeting part 2: a brief for each of 8 attendees over a household with 200 observations,
against reading the same rows without decisions; and the minutes as PDF against the same
minutes as HTML (what weasyprint adds)."""

import itertools
from datetime import timedelta

from bench.observations import OBSERVATIONS, _without_decisions, seeded
from bench.runner import Result, rate
from broker.clock import local_day, now
from broker.meetings.brief import brief
from broker.meetings.models import Invitee, Meeting, MeetingSlot, MeetingStatus
from broker.plans import service as plans
from broker.plans.api import minutes_html
from broker.plans.schemas import OutcomeCreate


def run(seconds: float) -> list[Result]:
    database, policy, household_id, readers = seeded("meetings")
    regisseur = readers[0]
    with database.sessionmaker.begin() as session:
        meeting = Meeting(household_id=household_id, reference="NB-BENCH1", title=b"",
                          location="Wijkcentrum", duration_minutes=90,
                          organiser_id=regisseur.professional_id,
                          organisation_id=regisseur.organisation_id,
                          status=MeetingStatus.SCHEDULED, sequence=0)
        session.add(meeting)
        session.flush()
        slot = MeetingSlot(meeting_id=meeting.id, start=now() + timedelta(days=14))
        session.add(slot)
        session.flush()
        meeting.slot_id = slot.id
        session.add_all(Invitee(meeting_id=meeting.id, organisation_id=r.organisation_id,
                                required=True) for r in readers[1:])
        session.flush()
        plans.record_outcome(session, actor=regisseur, meeting_id=meeting.id,
                             body=OutcomeCreate.model_validate(_outcome(regisseur)))
        meeting_id = meeting.id
    turns = itertools.cycle(readers)

    def assemble() -> None:
        with database.sessionmaker.begin() as session:
            found = brief(session, actor=next(turns), meeting_id=meeting_id)
            assert len(found.shown) + len(found.withheld) == OBSERVATIONS

    def bare() -> None:
        with database.sessionmaker.begin() as session:
            _without_decisions(session, household_id)

    def html() -> str:
        with database.sessionmaker.begin() as session:
            view = plans.meeting_minutes(session, actor=regisseur, meeting_id=meeting_id)
            return minutes_html(session, view, policy)

    def pdf() -> None:
        from weasyprint import HTML

        HTML(string=html()).write_pdf()

    briefs = rate(assemble, seconds, warmup=4, step=4)
    without = rate(bare, seconds, warmup=4, step=4)
    as_html = rate(html, seconds, warmup=4, step=4)
    as_pdf = rate(pdf, seconds, warmup=2, step=2)
    database.engine.dispose()
    return [Result("meetings", f"brief, 8 attendees in turn, {OBSERVATIONS} observations "
                   f"({1000 / briefs:.1f} ms)", briefs,
                   f"same rows without decisions ({1000 / without:.1f} ms)", without,
                   "(cost of the door)"),
            Result("meetings", f"minutes as PDF ({1000 / as_pdf:.0f} ms)", as_pdf,
                   f"the same minutes as HTML ({1000 / as_html:.1f} ms)", as_html,
                   "(context)")]


def _outcome(regisseur: object) -> dict[str, object]:
    return {"analysis": {"child_needs": "Rust.", "parenting_capacity": "Inzet.",
                         "family_environment": "Netwerk."},
            "signs_of_safety": {"worries": ["Zorg"], "strengths": ["Oma"],
                                "next_steps": ["Huisbezoek"], "safety_scale": 5},
            "zrm": {"onderwijs": 3, "financien": 2},
            "safety_assessment": {"instrument": "LIRIK", "outcome": "veilig",
                                  "rationale": "Geen acuut gevaar."},
            "plan": {"perspective": "Veilig thuis.",
                     "goals": [{"priority": 1, "domain": "onderwijs", "description": "School."}],
                     "actions": []},
            "regisseur_id": regisseur.professional_id,  # type: ignore[attr-defined]
            "next_evaluation": local_day(now()) + timedelta(days=60)}
