"""Dutch words for the log's terms, as the privacy officer and the family read them."""

from broker.web.navigation import N_

ACTIONS = {
    "disclosure": N_("verstrekt"), "refusal": N_("geweigerd"), "read": N_("ingezien"),
    "decision": N_("beslissing getoetst"), "consent.grant": N_("toestemming gegeven"),
    "consent.withdraw": N_("toestemming ingetrokken"),
    "override.request": N_("doorbreking aangevraagd"),
    "override.approve": N_("doorbreking goedgekeurd"),
    "override.revoke": N_("doorbreking ingetrokken"),
    "override.expire": N_("doorbreking verlopen"), "meldcode.step": N_("meldcodestap"),
    "meldcode.handback": N_("afgeschaald door Veilig Thuis"),
    "observation.amend": N_("signaal gecorrigeerd of ingetrokken"),
    "plan.action_update": N_("voortgang van een actie bijgewerkt"),
    "household.create": N_("huishouden vastgelegd"),
    "regisseur.change": N_("regie overgedragen"),
    "meeting.create": N_("bijeenkomst gemaakt"), "meeting.invite": N_("uitnodiging verstuurd"),
    "meeting.answer": N_("beschikbaarheid gegeven"),
    "meeting.schedule": N_("bijeenkomst gepland"), "meeting.cancel": N_("bijeenkomst afgezegd"),
    "meeting.outcome": N_("uitkomst vastgelegd"), "login": N_("ingelogd"),
    "login.failed": N_("inloggen mislukt"), "logout": N_("uitgelogd"),
    "export": N_("geëxporteerd"), "audit.search": N_("logboek doorzocht"),
    "audit.read": N_("logregel bekeken"), "audit.report": N_("inzageoverzicht gemaakt"),
    "audit.proof": N_("bewijs opgevraagd"),
    "audit.person_search": N_("persoon gezocht (verantwoording)"),
    "audit.verify": N_("logboek gecontroleerd"),
    "retention.run": N_("bewaartermijnen toegepast"),
    "retention.purge": N_("vernietigd na de bewaartermijn"),
    "key.rotate": N_("sleutels vernieuwd"),
    "key.destroy": N_("sleutel vernietigd"),
    "quality.read": N_("kwaliteit bekeken"),
    "care.record": N_("hulpverlening vastgelegd"),
    "family.link": N_("persoonlijke link gestuurd"), "family.view": N_("gezin keek in"),
    "destruction.request": N_("vernietiging gevraagd"),
    "destruction.decision": N_("besluit over vernietiging"),
    "mandate.register": N_("wettelijke grondslag vastgelegd"),
    "mandate.end": N_("wettelijke grondslag beëindigd"),
    "information.request": N_("informatie gevraagd aan een hulpverlener"),
    "information.answer": N_("informatieverzoek beantwoord"),
    "restriction.renew": N_("uitstel van informeren verlengd"),
    "family.withhold": N_("onderdeel afgeschermd voor een gezinslid"),
    "family.withhold_end": N_("afscherming voor een gezinslid opgeheven"),
    "custody.change": N_("gezag gewijzigd door de rechter"),
    "capacity.incapable": N_("jongere niet in staat zijn belangen te waarderen"),
    "capacity.incapable_end": N_("oordeel over wilsbekwaamheid beëindigd"),
    "representative.record": N_("curator of mentor vastgelegd"),
    "representative.end": N_("curatele of mentorschap beëindigd"),
}

BASES = {
    "consent": N_("toestemming"), "override": N_("doorbreking van het beroepsgeheim (meldcode)"),
    "own_submission": N_("eigen melding"), "family_present": N_("gezin aanwezig"),
    "legal_duty": N_("wettelijke grondslag (mandaat)"),
    "data_subject": N_("de persoon zelf (inzage, AVG artikel 15)"),
}

OUTCOMES = {"success": N_("gelukt"), "denied": N_("geweigerd"), "failure": N_("mislukt")}

EFFECTS = {"permit": N_("toegestaan"), "deny": N_("niet toegestaan")}

ACTOR_KINDS = {"professional": N_("medewerker"), "client": N_("systeem van een organisatie"),
               "member": N_("gezinslid (via de persoonlijke link)"),
               "system": N_("de broker zelf")}

# Why the privacy officer looks a person up: the closed list the log records (no free text).
SEARCH_REASONS = {
    "access_request": N_("inzageverzoek (AVG artikel 15)"),
    "rectification_request": N_("verzoek om correctie (AVG artikel 16)"),
    "destruction_request": N_("verzoek om vernietiging (Jeugdwet artikel 7.3.9)"),
    "objection": N_("bezwaar of verzoek om beperking (AVG artikel 18 en 21)"),
    "complaint": N_("klacht"),
    "incident": N_("onderzoek van een (mogelijk) datalek of incident"),
}
