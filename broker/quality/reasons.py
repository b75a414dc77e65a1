"""Why an indicator has its status, per code, in Dutch; the pages translate these through the
catalogue, the API answers them as written here."""


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


REASONS = {
    "analysis_done": N_("Analyse van kind, opvoeders en omgeving in plan versie %(version)s "
                        "(%(day)s)."),
    "analysis_missing": N_("Nog geen gezamenlijke analyse: er is geen uitkomst van een "
                           "netwerkbijeenkomst."),
    "regisseur_active": N_("Er is één actieve regisseur."),
    "regisseur_inactive": N_("De regisseur is niet (meer) actief: wijs een nieuwe regisseur "
                             "aan."),
    "meetings_held": N_("%(count)s netwerkbijeenkomst(en) gehouden."),
    "partners_invited": N_("Partners zijn uitgenodigd voor een netwerkbijeenkomst."),
    "partners_not_asked": N_("De partners zijn niet gevraagd wat zij weten: plan een "
                             "netwerkbijeenkomst."),
    "handback_assessment_due": N_("Afgeschaald op %(day)s: leg uiterlijk %(due)s een nieuwe "
                                  "veiligheidstaxatie vast."),
    "handback_assessment_missing": N_("Afgeschaald op %(day)s; daarna is binnen %(days)s "
                                      "dagen geen nieuwe veiligheidstaxatie gedaan."),
    "assessment_missing": N_("Er zijn signalen van onveiligheid, maar er is geen "
                             "veiligheidstaxatie."),
    "assessment_not_needed": N_("Geen signalen van onveiligheid; een veiligheidstaxatie is "
                                "(nog) niet nodig."),
    "signal_after_assessment": N_("Nieuw signaal van onveiligheid op %(day)s, na de laatste "
                                  "veiligheidstaxatie (%(assessed)s)."),
    "assessment_old": N_("De laatste veiligheidstaxatie (%(assessed)s) is ouder dan een half "
                         "jaar."),
    "assessment_done": N_("Veiligheidstaxatie van %(assessed)s."),
    "plan_missing": N_("Er is nog geen plan met een gewenst perspectief en doelen."),
    "plan_without_actions": N_("Het plan heeft doelen, maar geen acties met een eigenaar en "
                               "een datum."),
    "plan_actions_late": N_("%(late)s van %(actions)s acties zijn over hun datum: het plan "
                            "stagneert; bespreek het of schaal op."),
    "plan_on_schedule": N_("Plan met doelen en %(actions)s acties op schema."),
    "evaluation_missing": N_("Er is geen evaluatiedatum: er is nog geen plan."),
    "evaluation_overdue": N_("De evaluatie stond gepland op %(day)s en is niet gehouden."),
    "evaluation_planned": N_("Volgende evaluatie op %(day)s."),
    "acute_steps_late": N_("Acuut gemeld op %(day)s; de stappen daarvoor zijn niet binnen "
                           "%(days)s dagen vastgelegd."),
    "follow_up_due": N_("De georganiseerde hulp zou op %(day)s gevolgd worden; leg een nieuwe "
                        "veiligheidstaxatie vast."),
    "no_signals": N_("Geen signalen van huiselijk geweld of kindermishandeling."),
    "meldcode_not_started": N_("Signaal met grote of acute zorg op %(day)s, maar de meldcode "
                               "is niet gestart."),
    "meldcode_stalled": N_("Een meldcode-zaak staat stil sinds %(day)s."),
    "meldcode_followed": N_("De meldcode wordt gevolgd (stap %(step)s van 5)."),
    "meldcode_done": N_("De vijf stappen van de meldcode zijn gezet."),
}
