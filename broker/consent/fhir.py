"""A consent as a FHIR R4 Consent resource (built and validated with fhir.resources; the
R4B package, whose Consent is the R4 one)."""

from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.consent import ConsentProvision, ConsentProvisionActor
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.reference import Reference

from broker.consent.service import ConsentView, Status

SYSTEM = "urn:broker"
STATES = {Status.ACTIVE: "active", Status.PENDING: "proposed", Status.WITHDRAWN: "inactive",
          Status.EXPIRED: "inactive"}


def _concept(system: str, code: str, display: str | None = None) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=system, code=code, display=display)])


def to_fhir(view: ConsentView) -> dict[str, Any]:
    consent = view.consent
    actors = [ConsentProvisionActor(
        role=_concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP",
                      "information recipient"),
        reference=Reference(reference=f"Organization/{r['organisation_id']}")
        if r.get("organisation_id") else Reference(
            display=f"party:{r['party']}",
            identifier=Identifier(system=f"{SYSTEM}:party", value=r["party"])))
        for r in consent.recipients]
    resource = FhirConsent(
        id=consent.id,
        status=STATES[view.status],
        scope=_concept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy",
                       "Privacy Consent"),
        category=[_concept("http://loinc.org", "59284-0", "Patient Consent")],
        patient=Reference(reference=f"Patient/{consent.subject_id}"),
        dateTime=consent.created_at,
        performer=[Reference(reference=f"RelatedPerson/{g}"
                             if g != consent.subject_id else f"Patient/{g}")
                   for g in view.grantors],
        organization=[Reference(reference=f"Organization/{consent.recorded_by_organisation_id}")],
        sourceReference=Reference(display=f"{consent.evidence_method}: "
                                          f"{consent.evidence_reference or '-'}"),
        policyRule=_concept("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN"),
        provision=ConsentProvision(
            type="permit",
            period=Period(start=consent.valid_from,
                          end=view.withdrawn_at or consent.valid_until),
            actor=actors,
            purpose=[Coding(system=f"{SYSTEM}:purpose", code=p) for p in consent.purposes],
            code=[_concept(f"{SYSTEM}:category", c) for c in consent.categories]),
    )
    return resource.model_dump(mode="json", by_alias=True, exclude_none=True)
