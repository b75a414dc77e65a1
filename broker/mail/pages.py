"""`/beheer/e-mail`: the admin sees whether the broker's mail goes out."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from broker.db import DbSession
from broker.identity.deps import CurrentWebUser
from broker.mail import service
from broker.web.forms import CheckedForm
from broker.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/beheer/e-mail")
def outbox(request: Request, user: CurrentWebUser, session: DbSession) -> Response:
    overview = service.overview(session, actor=user.principal)
    return render(request, "mail/outbox.html", {"overview": overview}, user=user)


@router.post("/beheer/e-mail/{message_id}/opnieuw")
def send_again(message_id: str, user: CurrentWebUser, session: DbSession,
               _: CheckedForm) -> Response:
    service.send_again(session, actor=user.principal, message_id=message_id)
    return RedirectResponse("/beheer/e-mail", status_code=303)
