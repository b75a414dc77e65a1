"""Consents as FHIR R4 (built and validated with fhir.resources; the R4B package, whose Consent
is the R4 one): a Consent, a searchset Bundle of them, and the server's CapabilityStatement.

A FHIR server resolves every reference in what we send: the person, the grantors and the
organisations are contained resources (`#patient`, `#grantor-1`, `#org-...`) that carry the
broker's identifiers, never a name or BSN of the family; a recipient named by party type is a
reference by identifier. Each Consent has a narrative in Dutch."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntrySearch, BundleLink
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.consent import ConsentPolicy, ConsentProvision, ConsentProvisionActor
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.narrative import Narrative
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.relatedperson import RelatedPerson

from broker import __version__
from broker.clock import LEGAL_ZONE, now
from broker.consent.service import ConsentView, Status

FHIR_JSON = "application/fhir+json"
SYSTEM = "urn:broker"
MEMBER, ORGANISATION = f"{SYSTEM}:member", f"{SYSTEM}:organisation"
STATES = {Status.ACTIVE: "active", Status.PENDING: "proposed", Status.WITHDRAWN: "inactive",
          Status.EXPIRED: "inactive"}
IN_WORDS = {Status.ACTIVE: "geldig", Status.PENDING: "wacht op een tweede gezaghebbende",
            Status.WITHDRAWN: "ingetrokken", Status.EXPIRED: "verlopen"}


def _concept(system: str, code: str, display: str | None = None) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=system, code=code, display=display)])


def _organisation_id(organisation_id: str) -> str:
    return f"org-{organisation_id}"


def _recipient(recipient: Mapping[str, Any]) -> Reference:
    if recipient.get("organisation_id"):
        return Reference(reference=f"#{_organisation_id(recipient['organisation_id'])}")
    return Reference(display=f"iedere organisatie van het type {recipient['party']}",
                     identifier=Identifier(system=f"{SYSTEM}:party", value=recipient["party"]))


def _day(moment: datetime) -> str:
    return moment.astimezone(LEGAL_ZONE).strftime("%d-%m-%Y")


def _narrative(view: ConsentView, organisations: Mapping[str, str]) -> Narrative:
    """What a FHIR viewer shows: the consent in Dutch words, no names of the family."""
    consent = view.consent
    recipients = [organisations.get(r["organisation_id"], "een organisatie")
                  if r.get("organisation_id") else f"iedere organisatie van het type {r['party']}"
                  for r in consent.recipients]
    until = view.withdrawn_at or consent.valid_until
    lines = [f"Toestemming ({IN_WORDS[view.status]})",
             f"Gegevens: {', '.join(consent.categories)}",
             f"Aan: {'; '.join(recipients)}",
             f"Doel: {', '.join(consent.purposes)}",
             f"Van {_day(consent.valid_from)} tot en met {_day(until)}"]
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return Narrative(status="generated",
                     div=f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>')


def to_fhir(view: ConsentView, organisations: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One Consent; `organisations` names the organisations by id (not personal data)."""
    names = organisations or {}
    consent = view.consent
    grantors = [g for g in view.grantors if g != consent.subject_id]
    patient = Patient(id="patient", identifier=[Identifier(system=MEMBER,
                                                           value=consent.subject_id)])
    related = [RelatedPerson(id=f"grantor-{n}", patient=Reference(reference="#patient"),
                             identifier=[Identifier(system=MEMBER, value=g)])
               for n, g in enumerate(grantors, start=1)]
    organisation_ids = sorted({consent.recorded_by_organisation_id} | {
        r["organisation_id"] for r in consent.recipients if r.get("organisation_id")})
    orgs = [Organization(id=_organisation_id(o), name=names.get(o),
                         identifier=[Identifier(system=ORGANISATION, value=o)])
            for o in organisation_ids]
    performers = [Reference(reference=f"#grantor-{n}") for n in range(1, len(grantors) + 1)]
    if consent.subject_id in view.grantors:
        performers.insert(0, Reference(reference="#patient"))
    resource = FhirConsent(
        id=consent.id,
        text=_narrative(view, names),
        contained=[patient, *related, *orgs],
        status=STATES[view.status],
        scope=_concept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy",
                       "Privacy Consent"),
        category=[_concept("http://loinc.org", "59284-0", "Patient Consent")],
        patient=Reference(reference="#patient"),
        dateTime=consent.created_at,
        performer=performers or None,
        organization=[Reference(
            reference=f"#{_organisation_id(consent.recorded_by_organisation_id)}")],
        sourceReference=Reference(display=f"{consent.evidence_method}: "
                                          f"{consent.evidence_reference or '-'}"),
        policy=[ConsentPolicy(authority="https://wetten.overheid.nl",
                              uri="https://wetten.overheid.nl/BWBR0040940")],  # the UAVG
        provision=ConsentProvision(
            type="permit",
            period=Period(start=consent.valid_from,
                          end=view.withdrawn_at or consent.valid_until),
            actor=[ConsentProvisionActor(
                role=_concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                              "IRCP", "information recipient"),
                reference=_recipient(r)) for r in consent.recipients],
            purpose=[Coding(system=f"{SYSTEM}:purpose", code=p) for p in consent.purposes],
            code=[_concept(f"{SYSTEM}:category", c) for c in consent.categories]),
    )
    return resource.model_dump(mode="json", by_alias=True, exclude_none=True)


def search_bundle(views: Sequence[ConsentView], organisations: Mapping[str, str], *,
                  base_url: str, self_link: str) -> dict[str, Any]:
    """A searchset Bundle: each Consent with its full URL, which a client can GET."""
    bundle = Bundle(
        type="searchset", total=len(views), timestamp=now(),
        link=[BundleLink(relation="self", url=self_link)],
        entry=[BundleEntry(fullUrl=f"{base_url}/fhir/Consent/{view.consent.id}",
                           resource=FhirConsent.model_validate(to_fhir(view, organisations)),
                           search=BundleEntrySearch(mode="match"))
               for view in views] or None)
    return bundle.model_dump(mode="json", by_alias=True, exclude_none=True)


def capability_statement(base_url: str) -> dict[str, Any]:
    """What this FHIR endpoint serves: Consent, read and search by patient, JSON only, with
    an OAuth2 bearer token (SMART-style security would come from the token endpoint)."""
    statement = CapabilityStatement.model_validate({
        "resourceType": "CapabilityStatement", "status": "active", "date": now().isoformat(),
        "kind": "instance", "fhirVersion": "4.0.1", "format": ["json"],
        "software": {"name": "broker", "version": __version__},
        "implementation": {"description": "Toestemmingen van de broker", "url":
                           f"{base_url}/fhir"},
        "rest": [{
            "mode": "server",
            "security": {
                "cors": False,
                "service": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "code": "OAuth"}]}],
                "description": f"A bearer token from {base_url}/oauth/token (client "
                               "credentials); a consent is shown to those involved with the "
                               "household only, and every read is recorded."},
            "resource": [{
                "type": "Consent", "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": [{"name": "patient", "type": "reference",
                                 "documentation": "The person the consent is about: their id "
                                                  "in the broker (urn:broker:member)"}]}]}]})
    return statement.model_dump(mode="json", by_alias=True, exclude_none=True)
