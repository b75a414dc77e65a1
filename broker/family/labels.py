"""The family page's words for the policy's terms, in plain Dutch (B1); each is a catalogue
message, so the English page has them too."""

from broker.web.navigation import N_

BASES = {  # why it was allowed, as a family reads it
    "consent": N_("u (of uw kind) gaf toestemming"),
    "override": N_("de veiligheid van uw kind ging voor (meldcode)"),
    "own_submission": N_("de organisatie schreef het zelf op"),
    "legal_duty": N_("de wet verplicht het"),
    "family_present": N_("u was erbij en stemde in"),
    "data_subject": N_("u bekeek uw eigen gegevens"),
}
ACTIONS = {"disclosure": N_("gekregen"), "read": N_("bekeken"), "export": N_("opgevraagd")}
CATEGORIES = {
    "basisgegevens": N_("naam en geboortedatum"),
    "financien": N_("geld en schulden"),
    "werk_opleiding": N_("werk en opleiding"),
    "dagbesteding": N_("wat u overdag doet"),
    "huisvesting": N_("wonen"),
    "huiselijke_relaties": N_("relaties thuis"),
    "opvoeding": N_("opvoeding"),
    "onderwijs": N_("school"),
    "ontwikkeling": N_("hoe het kind zich ontwikkelt"),
    "veiligheid": N_("veiligheid"),
    "sociaal_netwerk": N_("familie, vrienden en buren"),
    "maatschappelijke_participatie": N_("meedoen in de buurt en de samenleving"),
    "gezondheid": N_("gezondheid van het lichaam"),
    "psychische_gezondheid": N_("psychische gezondheid"),
    "middelengebruik": N_("alcohol en drugs"),
    "justitie": N_("politie en justitie"),
}
PURPOSES = {
    "hulpverlening": N_("om de hulp aan uw gezin op elkaar af te stemmen"),
    "netwerkbijeenkomst": N_("voor een gesprek met iedereen die helpt"),
    "veiligheid": N_("om ervoor te zorgen dat uw kind veilig is"),
    "meldcode": N_("voor de meldcode bij zorgen over geweld thuis"),
    "jeugdbescherming": N_("voor een maatregel van de kinderrechter"),
}
CONSENT_STATUS = {"active": N_("geldt nu"), "pending": N_("gaat nog in"),
                  "withdrawn": N_("ingetrokken"), "expired": N_("verlopen")}
ACTION_STATUS = {"open": N_("nog te doen"), "done": N_("klaar"), "cancelled": N_("gestopt")}
REQUEST_STATUS = {"open": N_("open"), "destroyed": N_("vernietigd"),
                  "refused": N_("geweigerd")}
# What a line without a category was about (a read of the consents, say).
OBJECTS = {
    "consent": N_("toestemmingen"),
    "custody": N_("wie het gezag heeft"),
    "withholding": N_("wat niet op uw pagina staat"),
    "destruction_request": N_("uw verzoek om vernietiging"),
    "information_request": N_("een vraag om informatie"),
    "mandate": N_("een wettelijke taak"),
}
