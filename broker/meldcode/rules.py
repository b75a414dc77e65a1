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


def decision_allowed(answers: Mapping[str, bool | None], decision: StepDecision) -> str | None:
    """A Dutch explanation when step 5's decision contradicts step 4's answers."""
    why = reporting_required(answers)
    if why and decision not in (StepDecision.MELDEN, StepDecision.MELDEN_EN_HULP):
        return why + " Kies 'melden' of 'melden en hulp organiseren'."
    return None
