"""The meldcode's rules, pure: what the afwegingskader requires (Besluit verplichte meldcode,
afwegingskader 2019). When an override is in force is `broker.disclosure.overrides`."""

from collections.abc import Mapping

from broker.meldcode.models import StepDecision

QUESTIONS = ("vermoeden", "acuut_of_structureel_onveilig", "hulp_mogelijk",
             "hulp_geaccepteerd", "hulp_leidt_tot_veiligheid")


def reporting_required(answers: Mapping[str, bool | None]) -> str | None:
    """Why the afwegingskader requires a report to Veilig Thuis, or None: acute or structural
    unsafety, or help that is not possible, not accepted or not leading to safety."""
    if not answers.get("vermoeden"):
        return None
    if answers.get("acuut_of_structureel_onveilig"):
        return ("Er is sprake van acute of structurele onveiligheid: melden bij Veilig Thuis "
                "is nodig.")
    for question, why in (("hulp_mogelijk", "u kunt zelf geen passende hulp bieden"),
                          ("hulp_geaccepteerd", "de betrokkenen aanvaarden de hulp niet"),
                          ("hulp_leidt_tot_veiligheid", "de hulp leidt niet tot veiligheid")):
        if answers.get(question) is False:
            return f"Volgens het afwegingskader moet u melden: {why}."
    return None


def open_question(answers: Mapping[str, bool | None]) -> str | None:
    """The first question the afwegingskader still needs answered, or None. Without a
    suspicion nothing more is asked; while it stands, all five are answered (a report may
    still come with help: 'melden en hulp organiseren'). An unanswered question never counts
    as 'no'."""
    if answers.get("vermoeden") is None:
        return "vermoeden"
    if not answers["vermoeden"]:
        return None
    return next((q for q in QUESTIONS[1:] if answers.get(q) is None), None)


def decision_allowed(answers: Mapping[str, bool | None], decision: StepDecision
                     ) -> tuple[str, str] | None:
    """(code, Dutch explanation) when step 5's decision contradicts step 4's answers: a
    report the framework requires (`meldplicht`), or closing the case while the suspicion
    stands (`meldcode_not_closable`: help that is possible, accepted and effective is
    organised and followed, not closed)."""
    why = reporting_required(answers)
    if why and decision not in (StepDecision.MELDEN, StepDecision.MELDEN_EN_HULP):
        return "meldplicht", why + " Kies 'melden' of 'melden en hulp organiseren'."
    if decision is StepDecision.AFSLUITEN and answers.get("vermoeden"):
        return "meldcode_not_closable", (
            "Het vermoeden blijft bestaan: een zaak sluit u alleen af als stap 4 geen "
            "vermoeden (meer) vaststelt. Kies 'hulp organiseren' en volg de hulp.")
    return None
