"""The person search's rules: whole words without accents or case, a birth date narrows,
a destroyed person cannot be found, and nothing is searched without a reason."""

import pytest
from sqlalchemy.orm import Session

from broker.errors import Invalid
from broker.households.models import Member
from broker.identity.principal import Principal
from broker.identity.service import professional_principal, require_organisation
from broker.policy import Policy
from broker.subject_access.service import find_persons, name_words
from tests.consent.test_pages import arrange
from tests.factories import make_org, make_professional


def officer(session: Session, policy: Policy) -> Principal:
    org = make_org(session, policy, party="gemeente")
    person = make_professional(session, org, roles=["privacy_officer"])
    return professional_principal(session, require_organisation(session, org.id), person)


class TestNameWords:
    def test_accents_case_and_punctuation_do_not_count(self) -> None:
        assert name_words("Özlem  Jansen-de Vries") == ["ozlem", "jansen", "de", "vries"]
        assert name_words("'t Hart") == ["t", "hart"]


class TestFindPersons:
    def test_a_birth_date_narrows_the_family_name(self, session: Session,
                                                  policy: Policy) -> None:
        _, ids = arrange(session, policy)
        actor = officer(session, policy)
        everyone = find_persons(session, actor=actor, name="jansen", birth_date=None,
                                reason="access_request", reference="Z-1")
        assert {p.member_id for p in everyone} == {ids["m"], ids["c1"]}
        mother = [p for p in everyone if p.member_id == ids["m"]][0]
        narrowed = find_persons(session, actor=actor, name="jansen",
                                birth_date=mother.birth_date, reason="complaint",
                                reference="Z-2")
        assert [(p.given_name, p.household_label) for p in narrowed] == [("Sanne", "Gezin J.")]

    def test_a_destroyed_person_is_not_found(self, session: Session, policy: Policy) -> None:
        _, ids = arrange(session, policy)
        member = session.get(Member, ids["m"])
        assert member is not None
        member.given_name, member.family_name = "—", "—"
        session.flush()
        found = find_persons(session, actor=officer(session, policy), name="",
                             birth_date=member.birth_date, reason="access_request",
                             reference="Z-3")
        assert found == []

    @pytest.mark.parametrize(("name", "reason", "reference", "code"), [
        ("", "access_request", "Z-1", "search_needs_name_or_birth_date"),
        ("Sanne", "", "Z-1", "search_reason_missing"),
        ("Sanne", "curiosity", "Z-1", "search_reason_missing"),
        ("Sanne", "access_request", "", "search_reference_invalid"),
        ("Sanne", "access_request", "Jansen", "search_reference_invalid"),
        ("Sanne", "access_request", "Sanne Jansen 1", "search_reference_invalid"),
    ])
    def test_what_is_refused(self, session: Session, policy: Policy, name: str, reason: str,
                             reference: str, code: str) -> None:
        with pytest.raises(Invalid) as refused:
            find_persons(session, actor=officer(session, policy), name=name, birth_date=None,
                         reason=reason, reference=reference)
        assert refused.value.code == code
