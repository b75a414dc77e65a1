"""The shape of each policy file. Strict: a string where a number belongs is an error."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict


class PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Special(StrEnum):
    """AVG art. 9 (special categories) and art. 10 (criminal data)."""

    ART9 = "art9"
    ART10 = "art10"


class MandateKind(StrEnum):
    """The legal grounds an organisation can hold for one child (contract 4.3)."""

    VT_REPORT = "vt_report"
    VT_INVESTIGATION = "vt_investigation"
    OTS = "ots"
    VOOGDIJ = "voogdij"
    RAAD_ONDERZOEK = "raad_onderzoek"


class MandateRule(PolicyModel):
    """What a mandate of this kind lets its organisation receive about the child, and the
    article that says so. It always receives the child's basic data and what the reporter
    itself reported; the household's regisseur organisation's own information only where the
    law obliges that organisation to give it (`from_regisseur`). Every other holder weighs
    its own secrecy (an override, an answer to a request for information)."""

    source: str
    purposes: list[str]
    categories: list[str]
    from_regisseur: bool = False
    days: int | None = Field(default=None, ge=1)  # longest term; None: until the child is 18


class Party(PolicyModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    professional_secrecy: bool = False
    mandates: dict[Annotated[MandateKind, Strict(False)], MandateRule] = {}


class PartiesFile(PolicyModel):
    parties: list[Party] = Field(min_length=1)


class Category(PolicyModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    special: Annotated[Special, Strict(False)] | None = None
    zrm: bool = False


class CategoriesFile(PolicyModel):
    categories: list[Category] = Field(min_length=1)


class Purpose(PolicyModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str


class PurposesFile(PolicyModel):
    purposes: list[Purpose] = Field(min_length=1)


class Representative(PolicyModel):
    """An adult's representative by court decision, and the matters they grant in."""

    source: str
    categories: list[str] | None = None  # None: every matter


class Capacity(PolicyModel):
    youth_with_custodians_from: int = Field(ge=0, le=18)
    youth_alone_from: int = Field(ge=0, le=18)
    adult_from: int = Field(ge=0, le=21)
    # A youth of 12 or older judged unable to weigh their interests: the custodians decide,
    # for at most this many days before the judgement is made again.
    incapacity_max_days: int = Field(default=365, ge=1)
    incapacity_source: str = "WGBO art. 7:465 lid 2"
    # The parties whose professionals judge it: care providers, not a school or a landlord.
    incapacity_assessors: list[str] = []
    representatives: dict[str, Representative] = {}


class CategoryRule(PolicyModel):
    category: str
    max_period_days: int | None = Field(default=None, ge=1)
    evidence_methods: list[str] | None = None


class FamilyPresent(PolicyModel):
    categories: list[str]


class FamilyPage(PolicyModel):
    """What a member's page shows of others (AVG art. 15; WGBO 7:457, Jeugdwet 7.3.10)."""

    own_page_from: int = Field(default=12, ge=0, le=18)  # a youth's own page from this age
    custodians_see_until: int = Field(default=16, ge=0, le=18)  # custodians see a child's file
    keep_private_from: int = Field(default=12, ge=0, le=18)  # ... but what the youth keeps private
    withhold_review_max_days: int = Field(default=365, ge=1)  # a refusal to a parent, reviewed
    withhold_source: str = "WGBO art. 7:457 lid 1; Jeugdwet art. 7.3.10"


class ConsentFile(PolicyModel):
    capacity: Capacity
    evidence_methods: list[str] = Field(min_length=1)
    special_category_evidence: list[str] = Field(min_length=1)
    max_period_days: int = Field(ge=1)
    rules: list[CategoryRule] = []
    family_present: FamilyPresent = FamilyPresent(categories=[])
    family_page: FamilyPage = FamilyPage()


class OverrideLimits(PolicyModel):
    max_days: int = Field(ge=1)
    urgent_review_hours: int = Field(ge=1)
    inform_parents_within_days: int = Field(ge=0)
    # Whom a holder may tell without consent: these parties, and the household's regisseur
    # organisation when `regisseur` is true; anyone else only with a named legal ground.
    recipients: list[str] = Field(min_length=1)
    regisseur: bool = True
    urgent_recipients: list[str] = Field(min_length=1)  # acute danger: at once, these only
    # A reason not to tell the family holds until a review date at most this far ahead.
    not_informed_max_days: int = Field(ge=1)


class Terms(PolicyModel):
    """Deadlines of the meldcode path, in days."""

    acute_steps_days: int = Field(ge=1)  # after an acute report, the steps recorded within
    follow_up_max_days: int = Field(ge=1)  # 'hulp organiseren': the follow-up at most
    handback_assessment_days: int = Field(ge=0)  # after a handback, a new assessment within


class MeldcodeFile(PolicyModel):
    override: OverrideLimits
    terms: Terms
    steps: int = Field(ge=5, le=5)


class RecordKind(StrEnum):
    OBSERVATIONS = "observations"
    PLANS = "plans"
    MEETINGS = "meetings"
    MELDCODE = "meldcode"
    CONSENTS = "consents"
    HOUSEHOLDS = "households"  # the members' names and the household's own record
    AUDIT = "audit"
    SESSIONS = "sessions"


class RetentionPeriod(PolicyModel):
    id: str
    applies_to: list[Annotated[RecordKind, Strict(False)]] = Field(min_length=1)
    years: int = Field(ge=1)
    source: str


class Destruction(PolicyModel):
    """Who may ask for a person's file to be destroyed, and on which grounds it is refused
    (Jeugdwet art. 7.3.9)."""

    own_from: int = Field(default=12, ge=0, le=18)  # a youth asks for their own file
    custodians_until: int = Field(default=16, ge=0, le=18)  # custodians ask for a child
    decide_within_months: int = Field(default=3, ge=1)
    source: str = "Jeugdwet art. 7.3.9"
    # The only grounds to refuse (lid 3), with how the family reads them.
    refusal_grounds: dict[str, str] = {
        "aanmerkelijk_belang_ander": "het bewaren is van aanmerkelijk belang voor een ander",
        "wettelijk_voorschrift": "een wettelijk voorschrift verplicht tot bewaren"}


class RetentionFile(PolicyModel):
    periods: list[RetentionPeriod] = Field(min_length=1)
    destruction: Destruction = Destruction()


class ProcessingActivity(PolicyModel):
    id: str
    name: str
    purposes: list[str] = Field(min_length=1)
    lawful_basis: str
    special_basis: str | None = None
    categories: list[str]
    recipients: list[str]
    retention: str


class ProcessingFile(PolicyModel):
    controller: str
    activities: list[ProcessingActivity] = Field(min_length=1)


class SafetyQuestion(PolicyModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str
    full_assessment_when: bool  # this answer demands a full assessment with an instrument


class CareTerms(PolicyModel):
    """Deadlines of a household's help, in days."""

    assessment_after_intake_days: int = Field(ge=0)
    child_seen_days: int = Field(ge=1)
    feedback_days: int = Field(ge=1)
    adjust_plan_days: int = Field(ge=1)
    stagnation_escalate_days: int = Field(ge=1)


class SafetyFile(PolicyModel):
    """The path of a household's help (Toezichtkader Stelseltoezicht Jeugd, themes
    'Toeleiding en toegang' and 'In zorg'): the uniform safety questions of every intake,
    the instruments of a full assessment, who must be asked, and the terms."""

    questions: list[SafetyQuestion] = Field(min_length=1)
    instruments: list[str] = Field(min_length=1)
    outcomes: list[str] = Field(min_length=1)
    safe_outcomes: list[str] = Field(min_length=1)
    unsafe_outcomes: list[str] = Field(min_length=1)
    relevant_parties: list[list[str]] = []  # one of each group
    child_voice_from_age: int = Field(ge=0, le=18)
    terms: CareTerms


FILES: dict[str, type[PolicyModel]] = {
    "parties.yaml": PartiesFile,
    "categories.yaml": CategoriesFile,
    "purposes.yaml": PurposesFile,
    "consent.yaml": ConsentFile,
    "meldcode.yaml": MeldcodeFile,
    "retention.yaml": RetentionFile,
    "processing.yaml": ProcessingFile,
    "safety.yaml": SafetyFile,
}
