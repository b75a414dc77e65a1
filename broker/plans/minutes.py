"""The minutes of a meeting as a standalone HTML page (also the source of the PDF)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.identity.models import Organisation
from broker.meetings.models import Meeting
from broker.plans import service
from broker.policy import Policy
from broker.web.templating import environment


def minutes_html(session: Session, view: service.PlanView, policy: Policy) -> str:
    """The minutes as a standalone page (also the source of the PDF)."""
    meeting = session.get(Meeting, view.plan.meeting_id)
    owners = {o.id: o.name for o in session.scalars(select(Organisation).where(
        Organisation.id.in_({a.owner_organisation_id for a, _ in view.actions})))}
    labels = {c.id: c.label for c in policy.categories.values()}
    return environment.get_template("plans/minutes.html").render(
        view=view, reference=meeting.reference if meeting else "", owners=owners,
        labels=labels)
