"""Issue 22 acceptance 5 (second half): the minutes, the consent receipt and the art. 15
report are tagged PDF/A,
as pikepdf reads the file (MarkInfo, StructTreeRoot, language, XMP identification) and
poppler's pdftotext extracts its text (references and dates whole)."""

import io
import re
import subprocess

import pikepdf
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.consent.schemas import ConsentCreate
from broker.consent.service import grant_consent
from broker.households.service import view_household
from broker.policy import Policy
from tests.audit.test_pages_and_cli import officer_logged_in
from tests.conftest import Mailbox
from tests.consent.test_pages import arrange as arrange_household
from tests.factories import PASSWORD
from tests.identity.flows import login
from tests.meetings.test_api import arrange
from tests.meetings.test_issue20 import logged_in
from tests.meetings.test_outcome import hold


def accessible_archive(pdf: bytes, *, title: str) -> None:
    """What PDF/A-3a promises and a reader (pikepdf) can check."""
    document = pikepdf.open(io.BytesIO(pdf))
    assert document.Root.MarkInfo.Marked is True  # tagged
    assert len(document.Root.StructTreeRoot.K) >= 1  # a structure to follow
    assert str(document.Root.Lang) == "nl"
    assert document.Root.ViewerPreferences.DisplayDocTitle is True
    with document.open_metadata() as xmp:
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "A")
        assert xmp["dc:title"] == title


def text_of(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True, timeout=60)
    return done.stdout.decode()


def test_the_minutes_are_a_tagged_pdf_a_with_the_reference_whole(
        client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
    regisseur, school, _, meeting = arrange(client, session, policy)
    hold(client, regisseur, school.org.id, meeting)
    logged_in(client, regisseur)
    pdf = client.get(f"/bijeenkomsten/{meeting['id']}/verslag.pdf")
    assert pdf.status_code == 200
    reference = meeting["reference"]
    accessible_archive(pdf.content, title=f"Verslag netwerkbijeenkomst {reference}")
    text = text_of(pdf.content)
    assert reference in text
    assert re.search(r"uiterlijk \d\d-\d\d-\d{4}", text)


def test_the_access_report_is_a_tagged_pdf_a(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur, ids = arrange_household(session, policy)
    view_household(session, actor=regisseur, household_id=ids["household"])
    officer_logged_in(client, session, policy)
    pdf = client.get(f"/verantwoording/personen/{ids['m']}/pdf")
    accessible_archive(pdf.content, title="Inzageoverzicht")
    assert "Sanne Jansen" in text_of(pdf.content)


def test_the_consent_receipt_is_a_tagged_pdf_a_with_the_same_content_as_its_page(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur, ids = arrange_household(session, policy)
    consent = grant_consent(session, actor=regisseur, body=ConsentCreate.model_validate({
        "subject_id": ids["m"], "categories": ["financien"],
        "recipients": [{"party": "schuldhulpverlening"}], "purposes": ["hulpverlening"],
        "grantor_ids": [ids["m"]],
        "evidence": {"method": "written", "reference": "formulier 2026-114"}}))
    login(client, "reg@example.org", PASSWORD)
    page = client.get(f"/toestemmingen/{consent.id}/bewijs")
    assert f'href="/toestemmingen/{consent.id}/bewijs.pdf"' in page.text
    pdf = client.get(f"/toestemmingen/{consent.id}/bewijs.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    accessible_archive(pdf.content, title="Bewijs van toestemming")
    text = text_of(pdf.content)
    for seen in ("Bewijs van toestemming", "Sanne Jansen", "formulier 2026-114",
                 "ISO/IEC TS 27560:2023", consent.id):
        assert seen in text
    assert "Naar het gezin" not in text  # the page's own links stay on the page
