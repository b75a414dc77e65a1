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
    "help_request_missing": N_("Er is geen hulpvraag vastgelegd die met het gezin is "
                               "geformuleerd."),
    "help_request_without_parents": N_("De hulpvraag is geformuleerd zonder de ouders."),
    "help_request_without_children": N_("De hulpvraag is geformuleerd zonder de kinderen die "
                                        "mee kunnen praten (%(count)s van %(total)s)."),
    "help_request_with_family": N_("Hulpvraag met het gezin geformuleerd (%(day)s)."),
    "domains_missing": N_("Niet in kaart gebracht welke problemen er op de leefgebieden "
                          "spelen: leg de hulpvraag vast."),
    "domains_partly": N_("%(count)s van de %(total)s leefgebieden zijn niet bekeken: "
                         "%(domains)s."),
    "domains_all": N_("Alle %(total)s leefgebieden zijn bekeken."),
    "safety_questions_missing": N_("De vaste veiligheidsvragen zijn niet gesteld: leg de "
                                   "hulpvraag vast."),
    "safety_questions_safe": N_("Veiligheidsvragen gesteld op %(day)s; geen aanleiding voor "
                                "een volledige taxatie."),
    "full_assessment_done": N_("Veiligheidsvragen gesteld op %(day)s en een volledige "
                               "taxatie met een instrument gedaan."),
    "full_assessment_due": N_("De antwoorden op de veiligheidsvragen vragen om een volledige "
                              "taxatie met een instrument, uiterlijk %(due)s."),
    "full_assessment_missing": N_("De veiligheidsvragen van %(day)s vroegen om een volledige "
                                  "taxatie; die is niet binnen %(days)s dagen gedaan."),
    "zrm_missing": N_("De zelfredzaamheid van de volwassenen is niet ingeschat (ZRM)."),
    "zrm_partly": N_("De zelfredzaamheid van %(count)s van de %(total)s volwassenen is niet "
                     "ingeschat (ZRM)."),
    "zrm_done": N_("Zelfredzaamheid ingeschat (ZRM) van elke volwassene (%(total)s)."),
    "partners_none_asked": N_("Niemand is gevraagd wat hij weet. Niet gevraagd: %(missing)s."),
    "partners_partly_asked": N_("Gevraagd: %(asked)s. Niet gevraagd: %(missing)s."),
    "partners_all_asked": N_("Alle betrokken partijen zijn gevraagd: %(asked)s."),
    "fgp_not_offered": N_("Het gezin is niet in de gelegenheid gesteld een "
                          "familiegroepsplan te maken."),
    "fgp_offered": N_("Familiegroepsplan aangeboden op %(day)s; het gezin heeft nog niet "
                      "gekozen."),
    "fgp_accepted": N_("Het gezin maakt een familiegroepsplan (sinds %(day)s)."),
    "fgp_plan_based": N_("Het plan is gebaseerd op het familiegroepsplan (ontvangen "
                         "%(day)s)."),
    "fgp_not_linked": N_("Familiegroepsplan ontvangen op %(day)s, maar het plan is er niet "
                         "op gebaseerd."),
    "fgp_declined_plan_with_family": N_("Het gezin zag af van een familiegroepsplan "
                                        "(%(day)s); het plan is met de ouders gemaakt."),
    "fgp_declined_no_family_plan": N_("Het gezin zag af van een familiegroepsplan "
                                      "(%(day)s), maar er is nog geen plan met de ouders "
                                      "gemaakt."),
    "second_regisseur": N_("Andere organisaties die ook zeggen de regie te voeren: "
                           "%(count)s. Spreek af wie de regisseur is."),
    "plans_not_linked": N_("Plannen van andere organisaties, niet afgestemd op het ene "
                           "plan: %(count)s."),
    "one_plan": N_("Eén plan en één regisseur; andere plannen zijn erop afgestemd."),
    "evaluation_safety_missing": N_("Er is nog niet geëvalueerd of de veiligheid is "
                                    "verbeterd sinds de start."),
    "evaluation_no_start": N_("Evaluatie van %(day)s: bij de start is de veiligheid niet "
                              "ingeschat, dus er is niets om mee te vergelijken."),
    "safety_not_better": N_("Evaluatie van %(day)s: veiligheid bij de start %(start)s, nu "
                            "%(now)s; de veiligheid is niet verbeterd."),
    "safety_compared": N_("Evaluatie van %(day)s: veiligheid bij de start %(start)s, nu "
                          "%(now)s."),
    "escalation_needed_unsafe": N_("Taxatie van %(day)s: %(outcome)s, en er is niet "
                                   "opgeschaald."),
    "escalation_consider": N_("Acties staan sinds %(day)s stil (meer dan %(days)s dagen): "
                              "de vrijwillige hulp werkt niet; schaal op."),
    "escalated": N_("Opgeschaald op %(day)s."),
    "escalation_not_needed": N_("Geen aanleiding om op te schalen."),
    "plan_fits": N_("Geen veranderde ondersteuningsbehoefte vastgesteld."),
    "plan_adjusted": N_("De doelen zijn na de evaluatie van %(day)s bijgesteld."),
    "plan_adjust_due": N_("De behoefte is veranderd: stel de doelen met het gezin bij, "
                          "uiterlijk %(due)s."),
    "plan_adjust_overdue": N_("Bij de evaluatie van %(day)s bleek de behoefte veranderd; de "
                              "doelen zijn niet bijgesteld."),
    "help_ongoing": N_("De hulp loopt."),
    "closed_independent": N_("Afgesloten op %(day)s: het gezin kan zelfstandig verder."),
    "closed_aftercare": N_("Afgesloten op %(day)s met nazorg."),
    "closed_escalated": N_("Afgesloten op %(day)s na opschaling."),
    "help_closed": N_("De hulp is afgesloten op %(day)s."),
    "evaluation_without_family": N_("De evaluatie van %(day)s is zonder het gezin gedaan."),
    "no_children_to_speak": N_("Er zijn geen kinderen in het huishouden."),
    "children_seen": N_("Elk kind (%(count)s) is gezien en, wie mee kan praten, "
                        "gesproken."),
    "children_to_see": N_("Kinderen nog niet gezien en gesproken: %(count)s; uiterlijk "
                          "%(due)s."),
    "children_not_seen": N_("Niet binnen %(days)s dagen gezien en gesproken: %(count)s van "
                            "de %(total)s kinderen."),
    "no_partner_signals": N_("Geen signalen van partners."),
    "feedback_overdue": N_("Signalen waarop de partner niet binnen %(days)s dagen hoorde wat "
                           "ermee is gedaan: %(count)s."),
    "feedback_pending": N_("Signalen die wachten op terugkoppeling: %(count)s; uiterlijk "
                           "%(due)s."),
    "feedback_given": N_("Elke partner hoorde wat er met zijn signaal is gedaan."),
}
