"""The care path's codes in Dutch, for the pages that show them (the path itself, the
partner's family page, the start page); translated where they are shown."""

from broker.web.navigation import N_

OUTCOMES = {"veilig": N_("veilig"), "risico": N_("risico"),
            "onveilig_structureel": N_("structureel onveilig"),
            "onveilig_acuut": N_("acuut onveilig")}
FAMILY_GROUP_PLAN = {"offered": N_("aangeboden"), "accepted": N_("aanvaard"),
                     "declined": N_("afgewezen"), "received": N_("ontvangen")}
ESCALATION_TO = {"veilig_thuis": N_("Veilig Thuis"),
                 "jeugdbeschermingstafel": N_("Jeugdbeschermingstafel"),
                 "raad": N_("Raad voor de Kinderbescherming"),
                 "doorzettingsmacht": N_("doorzettingsmacht gemeente")}
ESCALATION_WHY = {"not_accepted": N_("hulp komt niet tot stand"),
                  "insufficient": N_("onvoldoende"), "not_effective": N_("niet effectief"),
                  "family_withdrew": N_("gezin trekt zich terug terwijl het onveilig is"),
                  "unsafe": N_("onveilig")}
CLOSURE = {"zelfstandig": N_("het gezin kan zelfstandig verder"),
           "nazorg": N_("nazorg is geregeld"), "gezin_stopt": N_("het gezin stopt")}
OTHER_PLAN_KINDS = {"plan": N_("eigen plan"),
                    "coordinator": N_("zorgcoördinator of casemanager"),
                    "regisseur": N_("eigen regisseur")}
PLACES = {"thuis": N_("thuis"), "school": N_("op school"), "kantoor": N_("op kantoor"),
          "elders": N_("ergens anders")}
FEEDBACK = {"in_plan": N_("opgenomen in het plan"),
            "meeting": N_("besproken in een netwerkbijeenkomst"),
            "meldcode": N_("meldcode gestart"), "referred": N_("doorverwezen"),
            "no_action": N_("geen actie nodig")}
