"""The regisseur's pages (Dutch): my households, one household with its consent matrix."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from broker.clock import local_day, now
from broker.consent import service as consents
from broker.consent.matrix import matrices
from broker.db import DbSession, undo_failed
from broker.disclosure.capacity import age_on
from broker.errors import BrokerError
from broker.households import custody, form, service
from broker.households.custody import GUARDIAN_PARTY
from broker.households.schemas import CustodyChange
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation, Role
from broker.plans import service as plans
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.templating import render

router = APIRouter(prefix="/huishoudens", include_in_schema=False)


@router.get("")
def my_households(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    households = service.household_summaries(session, actor=user.principal)
    return render(request, "households/list.html", {
        "households": households,
        "may_create": user.principal.has_role(Role.REGISSEUR)}, user=user)


@router.get("/nieuw")
def new_household(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    service.check_creator(user.principal)
    return _new(request, session, user, form.blank())


@router.post("/nieuw")
async def create_household(request: Request, session: DbSession, user: CurrentWebUser,
                           single: CheckedForm) -> Response:
    """Creates the household; 'add' (a button) only shows the form with one more row."""
    multi = await request.form()
    sent = form.parse({key: [str(v) for v in multi.getlist(key)] for key in multi.keys()})
    if single.get("add"):
        return _new(request, session, user, sent.adding(single["add"]))
    body = form.body_of(sent)
    if body is None:
        return _new(request, session, user, sent, status_code=422)
    try:
        household = service.create_household(session, actor=user.principal, body=body)
    except BrokerError as exc:
        undo_failed(session, exc)
        form.problem_errors(sent, exc.extra.get("problems", []))
        if not sent.errors:
            sent.errors["form"] = exc.code
        return _new(request, session, user, sent, status_code=exc.status)
    return RedirectResponse(f"/huishoudens/{household.id}", status_code=303)


def _new(request: Request, session: DbSession, user: CurrentWebUser, filled: form.NewHousehold,
         *, status_code: int = 200) -> Response:
    policy = request.app.state.policy
    return render(request, "households/new.html", {
        "form": filled, "messages": FIELD_MESSAGES, "max_rows": form.MAX_ROWS,
        "teams": service.creation_teams(session, actor=user.principal),
        "adult_from": policy.consent.capacity.adult_from,
        "today": local_day(now())}, user=user, status_code=status_code)


# Why a change of custody was refused, by code (see `custody.change_custody`).
CUSTODY_MESSAGES = {
    "court_decision": N_("Vul het kenmerk en de datum van de beschikking in."),
    "court_decision_date": N_("De datum van de beschikking kan niet in de toekomst liggen, en "
                              "niet vóór de vorige beschikking."),
    "custody_incomplete": N_("Een kind dat gezag had, houdt minstens één gezaghebbende: kies "
                             "een ouder of een gecertificeerde instelling als voogd. Het gaat "
                             "om:"),
    "invalid_custody": N_("Gezag ligt bij hoogstens twee volwassen gezinsleden of bij een "
                          "gecertificeerde instelling, en alleen over minderjarige kinderen."),
    "custodian_organisation": N_("Alleen een gecertificeerde instelling kan als organisatie "
                                 "voogd zijn."),
    "not_the_team": N_("Alleen het team van dit gezin legt het gezag vast."),
    "other": N_("Het gezag kon niet worden vastgelegd."),
}


# What is wrong with a field of the new-household form, by code (see `form`, `service`).
FIELD_MESSAGES = {
    "required": N_("Vul dit in."),
    "too_long": N_("Dit is te lang."),
    "invalid_date": N_("Dit is geen geldige datum. Vul dag, maand en jaar in."),
    "birth_date_in_future": N_("Deze geboortedatum ligt in de toekomst."),
    "bsn_format": N_("Een BSN bestaat uit 9 cijfers (of 8, zonder de 0 vooraan)."),
    "invalid_bsn": N_("Dit BSN bestaat niet: het klopt niet volgens de elfproef. Kijk of u "
                      "alle cijfers goed hebt overgenomen."),
    "email_format": N_("Dit is geen e-mailadres. Schrijf het zo: naam@voorbeeld.nl."),
    "empty_custodian": N_("Gezag ligt bij een volwassene die u niet hebt ingevuld."),
    "custodian_too_young": N_("Gezag ligt alleen bij een volwassene van %(age)s jaar of "
                              "ouder."),
    "adult_child": N_("Dit kind is %(age)s jaar of ouder: er is geen gezag meer."),
    "too_many_custodians": N_("Een kind heeft hoogstens twee gezaghebbenden."),
    "custody_twice": N_("Gezag staat twee keer aangevinkt."),
    "unknown_ref": N_("Gezag ligt bij een volwassene die u niet hebt ingevuld."),
    "duplicate_ref": N_("Twee gezinsleden hebben hetzelfde nummer. Laad de pagina opnieuw."),
    "no_members": N_("Vul minstens één gezinslid in."),
    "team_required": N_("U werkt in meer teams: kies het team van dit huishouden."),
    "not_in_team": N_("U werkt niet in dat team: kies een van uw teams."),
    "wrong_role": N_("Alleen een regisseur maakt een huishouden aan."),
    "invalid": N_("Het huishouden kon niet worden aangemaakt. Kijk de velden na."),
}


@router.get("/{household_id}")
def household(household_id: str, request: Request, session: DbSession,
              user: CurrentWebUser) -> Response:
    view = service.view_household(session, actor=user.principal, household_id=household_id)
    names = view.names()
    consent_views = consents.household_consents(session, actor=user.principal,
                                                household_id=household_id)
    policy = request.app.state.policy
    org_names = consents.organisation_names(session, consent_views)
    directs = view.regisseur.professional_id == user.professional.id
    return render(request, "households/household.html", {
        "view": view, "names": names, "policy": policy,
        "matrices": matrices(consent_views, policy, org_names),
        # Who still has to consent again is the regisseur's to act on (it names custodians).
        "due": consents.reconsent_due(session, household_id) if directs else [],
        "is_regisseur": directs,
        "youths": {v.member.id for v in view.members if v.member.role == "child"
                   and age_on(v.member.birth_date, local_day(now()))
                   >= policy.consent.family_page.own_page_from},
        "trends": plans.trends(session, actor=user.principal, household_id=household_id),
    }, user=user)


@router.get("/{household_id}/gezag")
def custody_page(household_id: str, request: Request, session: DbSession,
                 user: CurrentWebUser) -> Response:
    return _custody(request, session, user, household_id)


def _custody(request: Request, session: DbSession, user: CurrentWebUser, household_id: str,
             *, error: str | None = None, children: list[str] | None = None,
             status_code: int = 200) -> Response:
    """The custody page; after a refusal its code (`CUSTODY_MESSAGES`) and the children it
    names."""
    found = custody.custody(session, actor=user.principal, household_id=household_id)
    view = service.view_household(session, actor=user.principal, household_id=household_id)
    guardians = list(session.scalars(select(Organisation).where(
        Organisation.party == GUARDIAN_PARTY).order_by(Organisation.name)))
    return render(request, "households/custody.html", {
        "view": view, "names": view.names(), "custody": found, "guardians": guardians,
        "organisations": {o.id: o.name for o in guardians}, "error": error,
        "messages": CUSTODY_MESSAGES, "error_children": children or [],
        "today": local_day(now())}, user=user, status_code=status_code)


@router.post("/{household_id}/gezag")
async def change_custody(household_id: str, request: Request, session: DbSession,
                         user: CurrentWebUser, form: CheckedForm) -> Response:
    """One field per child ('custody:<child id>'), each a member id or 'org:<GI id>'."""
    multi = await request.form()
    links = [{"custodian_organisation_id": value.removeprefix("org:"), "child": child}
             if value.startswith("org:") else {"custodian": value, "child": child}
             for key in dict.fromkeys(multi.keys()) if key.startswith("custody:")
             for child in [key.removeprefix("custody:")]
             for value in map(str, multi.getlist(key)) if value]
    try:
        body = CustodyChange.model_validate({"custody": links, "court_decision": {
            "reference": form.get("reference", ""), "date": form.get("date", "")}})
        custody.change_custody(session, actor=user.principal, household_id=household_id,
                               body=body)
    except ValidationError:
        return _custody(request, session, user, household_id, status_code=422,
                        error="court_decision")
    except BrokerError as exc:
        undo_failed(session, exc)
        return _custody(request, session, user, household_id, status_code=exc.status,
                        error=exc.code, children=exc.extra.get("children"))
    return RedirectResponse(f"/huishoudens/{household_id}/gezag", status_code=303)
