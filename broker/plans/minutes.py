"""The minutes of a meeting: a page in the site's frame, and a standalone HTML document
(the API's answer and the source of the PDF); both show the same content."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.identity.models import Organisation
from broker.meetings.models import Meeting
from broker.plans import service
from broker.policy import Policy
from broker.web.pdf import to_pdf
from broker.web.templating import environment

OUTCOMES = {"veilig": "veilig", "onveilig_acuut": "acuut onveilig",
            "onveilig_structureel": "structureel onveilig",
            "onveilig_beinvloedbaar": "onveilig, maar beïnvloedbaar"}


def minutes_context(session: Session, view: service.PlanView, policy: Policy
                    ) -> dict[str, Any]:
    meeting = session.get(Meeting, view.plan.meeting_id)
    owners = {o.id: o.name for o in session.scalars(select(Organisation).where(
        Organisation.id.in_({a.owner_organisation_id for a, _ in view.actions})))}
    labels = {c.id: c.label for c in policy.categories.values()}
    return {"view": view, "reference": meeting.reference if meeting else "",
            "meeting_id": view.plan.meeting_id, "owners": owners, "labels": labels,
            "outcomes": OUTCOMES}


def minutes_html(session: Session, view: service.PlanView, policy: Policy) -> str:
    """The minutes as a standalone document (also the source of the PDF)."""
    return environment.get_template("plans/minutes_document.html").render(
        **minutes_context(session, view, policy))


def minutes_pdf(session: Session, view: service.PlanView, policy: Policy) -> bytes:
    return to_pdf(minutes_html(session, view, policy))
