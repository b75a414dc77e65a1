"""What the error page says per problem code (Dutch source, translated where shown); the
code itself stays in small print for the helpdesk."""

from broker.web.navigation import N_

MESSAGES = {
    "not_found": N_("Deze pagina bestaat niet, of u hebt er geen toegang toe."),
    "forbidden": N_("U hebt geen toegang tot deze pagina."),
    "wrong_role": N_("Deze pagina hoort bij een andere rol dan de uwe. Ga naar de "
                     "startpagina voor uw eigen werk."),
    "csrf": N_("Het formulier was verlopen. Laad de pagina opnieuw en probeer het nog eens."),
    "login_failed": N_("Inloggen is niet gelukt. Probeer het opnieuw."),
    "login_required": N_("Log eerst in om deze pagina te zien."),
    "unauthorized": N_("Log eerst in om deze pagina te zien."),
    "link_invalid": N_("Deze link werkt niet meer: hij is al gebruikt of verlopen. Vraag uw "
                       "regisseur om een nieuwe link."),
    "no_family_session": N_("Open de pagina met uw persoonlijke link. Werkt die niet meer? "
                            "Vraag uw regisseur om een nieuwe link."),
    "no_consent": N_("Hiervoor is geen toestemming. Vraag de regisseur van het gezin om "
                     "toestemming te vragen."),
    "rate_limited": N_("U hebt het te vaak kort na elkaar geprobeerd. Wacht even en probeer "
                       "het dan opnieuw."),
    "too_many_attempts": N_("Te veel mislukte pogingen. Het account is even geblokkeerd; "
                            "probeer het later opnieuw."),
    "method_not_allowed": N_("Deze pagina kan zo niet worden geopend."),
    "validation": N_("Het formulier is niet goed ingevuld. Ga terug en kijk de velden na."),
    "invalid_form": N_("Het formulier is niet goed ingevuld. Ga terug en kijk de velden na."),
    "invalid_value": N_("Een ingevulde waarde kan niet worden opgeslagen. Ga terug en kijk "
                        "de velden na."),
    "meeting_cancelled": N_("Deze bijeenkomst is afgelast."),
    "household_erased": N_("De gegevens van dit gezin zijn vernietigd."),
    "internal": N_("Er ging bij ons iets mis. Probeer het later opnieuw. Noem het kenmerk "
                   "hieronder als u om hulp vraagt."),
}

BY_STATUS = {
    400: N_("Uw verzoek kon niet worden verwerkt."),
    401: N_("Log eerst in om deze pagina te zien."),
    403: N_("U hebt geen toegang tot deze pagina."),
    404: MESSAGES["not_found"],
    409: N_("Dit kan nu niet meer: de gegevens zijn intussen veranderd. Laad de pagina "
            "opnieuw."),
    422: N_("Dit kan zo niet. Ga terug en kijk na wat u hebt ingevuld."),
    429: MESSAGES["rate_limited"],
}


def error_message(code: str, status: int) -> str:
    """The Dutch source text for a problem: by its code, else by its status."""
    if code in MESSAGES:
        return MESSAGES[code]
    if status >= 500:
        return MESSAGES["internal"]
    return BY_STATUS.get(status, BY_STATUS[400])
