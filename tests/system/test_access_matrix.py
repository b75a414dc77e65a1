"""Issue 10 item 1: the access matrix. Every route (API and page) × every role and relation to
the family has its expected answer in one table; the test makes each request in a savepoint
that is rolled back and compares. A cell with `+` may hold the family's personal data; in
every other cell, a name, birth date, BSN, e-mail address or free text of the family in the
response is a leak. Responses are searched as sent and with iCalendar's folded lines joined;
every mail a request sends is searched decoded (headers, base64 and quoted-printable parts,
attachments): a mail to a family member may hold that member's own address, no other mail
any of the family's data. A route without a row fails the test, as does a row without a route.

Cells: a status code; `+` personal data may be shown; `-` not applicable (a partner system
has no browser session). Pages answer 303 (to the login) where the API answers 401. The
columns are described in `matrix_world.PERSONAS`."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from broker.audit.context import INFO_KEY
from broker.clock import local_day, now
from broker.config import PROJECT_ROOT
from broker.policy import Policy, load_policy
from tests.conftest import BASE_URL, Mailbox, serve_in, smtp_mailbox, with_smtp
from tests.dates import days_from_today, years_ago
from tests.meetings.test_outcome import outcome
from tests.readable import mail_text, recipients, searchable
from tests.soak import note
from tests.system.matrix_world import MOTHER, PERSONAS, World, build, canaries

TABLE = """
method path                                               reg  par  unr  af   fg   tl   adm  ext  cli  anon  fam  rt2  tl2  sys  sub
GET    /                                                  200  200  200  200  200  200  200  200  -    200  200  200  200  -    200
GET    /.well-known/oauth-authorization-server            200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
GET    /.well-known/openid-configuration                  200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
GET    /api/v1/audit/checkpoint                           403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
GET    /api/v1/audit/consistency                          403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
GET    /api/v1/audit/events                               403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
GET    /api/v1/audit/events/{seq}                         403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
GET    /api/v1/audit/overrides                            403  403  403  200  200  403  403  401  403  401  401  403  403  403  403
GET    /api/v1/audit/proof/{seq}                          403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
GET    /api/v1/audit/subjects/{subject_id}/report         403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
GET    /api/v1/audit/verify                               403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
DELETE /api/v1/calendar/feed                              204  404  404  404  404  404  404  401  404  401  401  404  404  404  404
POST   /api/v1/calendar/feed                              201  201  201  201  201  201  201  401  403  401  401  201  201  403  201
GET    /api/v1/consents                                   200  200  404  200  404  404  404  401  200  401  401  404  404  404  404
POST   /api/v1/consents                                   201  201  404  403  403  403  403  401  201  401  401  404  403  404  404
GET    /api/v1/consents/{consent_id}/fhir                 200  200  404  200  404  404  404  401  200  401  401  404  404  404  404
POST   /api/v1/consents/{consent_id}/withdraw             200  200  404  403  404  404  404  401  200  401  401  404  404  404  404
POST   /api/v1/decisions                                  200  200  404  200  404  404  404  401  200  401  401  404  404  404  404
GET    /api/v1/destruction-requests                       403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
POST   /api/v1/destruction-requests/{request_id}/decision 403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
POST   /api/v1/households                                 201  403  403  403  403  403  403  401  403  401  401  201  403  403  403
GET    /api/v1/households/{household_id}                  200+  200  404  200+  404  404  404  401  200  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/members/{member_id}/link 201  403  403  403  403  403  403  401  403  401  401  404  403  403  403
GET    /api/v1/households/{household_id}/observations     200+  200+  404  200+  404  404  404  401  200+  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/withholdings     201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
GET    /api/v1/households/{household_id}/withholdings     200  403  404  200  404  404  404  401  403  401  401  404  404  404  404
GET    /api/v1/processing-activities                      200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
GET    /api/v1/processing-activities/{activity_id}        200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
GET    /api/v1/withholdings                               403  403  403  403  200  403  403  401  403  401  401  403  403  403  403
POST   /api/v1/withholdings/{withholding_id}/renew        200  403  404  200  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/withholdings/{withholding_id}/end          200  403  404  200  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/me/private                                 401  401  401  401  401  401  401  401  401  401  403  401  401  401  401
POST   /api/v1/me/private/share                           401  401  401  401  401  401  401  401  401  401  204  401  401  401  401
POST   /api/v1/households/{household_id}/destruction-requests 409  403  404  409  404  404  404  401  403  401  401  404  404  404  404
GET    /api/v1/households/{household_id}/custody          200  403  404  200  404  404  404  401  403  401  401  404  404  404  404
PUT    /api/v1/households/{household_id}/custody          200  403  404  200  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/incapacities     422  403  404  422  404  404  404  401  403  401  401  404  404  403  404
POST   /api/v1/households/{household_id}/incapacities/{incapacity_id}/end 404  404  404  404  404  404  404  401  404  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/representatives  422  403  404  422  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/representatives/{representation_id}/end 404  403  404  404  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/help-requests    201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/safety-assessments 201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/child-contacts   201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/family-group-plan 201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/evaluations      201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/escalations      201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/escalations/{escalation_id}/outcome        200  403  404  200  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/close            201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/other-plans      201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
PATCH  /api/v1/other-plans/{other_plan_id}                200  403  404  200  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/signal-feedback  201  403  404  201  404  404  404  401  403  401  401  404  404  404  404
GET    /api/v1/households/{household_id}/care-path        200+  403  404  200+  404  404  404  401  403  401  401  404  404  404  404
GET    /api/v1/households/{household_id}/plan             200  200  404  200  404  404  404  401  200  401  401  404  404  404  404
PUT    /api/v1/households/{household_id}/regisseur        200  403  404  403  404  404  200  401  403  401  401  404  404  404  404
POST   /api/v1/invitations/{token}/availability           204  204  204  204  204  204  204  204  204  204  204  204  204  204  204
GET    /api/v1/information-requests                       200+  200  200  200+  200  200  200  401  200  401  401  200  200  200  200+
POST   /api/v1/information-requests                       201+  403  404  201+  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/information-requests/{request_id}/answer   404  404  404  404  404  404  404  401  404  401  401  404  404  404  200+
GET    /api/v1/mandates                                   200  200  200  200  200  200  200  401  200  401  401  200  200  200  200
POST   /api/v1/mandates                                   422  422  404  422  404  404  404  401  404  401  401  404  404  404  404
GET    /api/v1/mandates/{mandate_id}                      200  404  404  200  404  404  404  401  404  401  401  404  404  404  404
POST   /api/v1/mandates/{mandate_id}/end                  200  404  404  200  404  404  404  401  404  401  401  404  404  404  404
POST   /api/v1/mandates/{mandate_id}/restriction          403  404  404  409  404  404  404  401  404  401  401  403  403  404  404
POST   /api/v1/overrides/{override_id}/restriction        403  404  404  409  404  404  404  401  404  401  401  404  404  404  404
POST   /api/v1/households/{household_id}/handbacks        201  201  404  201  404  404  404  401  403  401  401  404  404  403  404
GET    /api/v1/me                                         200  200  200  200  200  200  200  401  200  401  401  200  200  200  200
POST   /api/v1/me/consents/{consent_id}/withdraw          401  401  401  401  401  401  401  401  401  401  204  401  401  401  401
POST   /api/v1/me/destruction-request                     401  401  401  401  401  401  401  401  401  401  409  401  401  401  401
GET    /api/v1/me/disclosures                             401  401  401  401  401  401  401  401  401  401  200+  401  401  401  401
POST   /api/v1/meetings                                   201  403  403  403  403  403  403  401  403  401  401  404  403  403  403
GET    /api/v1/meetings/{meeting_id}                      200+  200  404  404  404  404  404  401  200  401  401  404  404  404  404
POST   /api/v1/meetings/{meeting_id}/availability         200+  200  404  404  404  404  404  401  200  401  401  404  404  404  404
GET    /api/v1/meetings/{meeting_id}/brief                200+  200+  404  404  404  404  404  401  200+  401  401  404  404  404  404
POST   /api/v1/meetings/{meeting_id}/cancel               200+  403  404  404  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/meetings/{meeting_id}/consents             201  403  404  404  404  404  404  401  403  401  401  404  404  404  404
GET    /api/v1/meetings/{meeting_id}/ics                  200  200  404  404  404  404  404  401  200  401  401  404  404  404  404
GET    /api/v1/meetings/{meeting_id}/minutes              200+  200  404  404  404  404  404  401  200  401  401  404  404  404  404
POST   /api/v1/meetings/{meeting_id}/outcome              201  403  404  404  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/meetings/{meeting_id}/rsvp                 200+  200  404  404  404  404  404  401  200  401  401  404  404  404  404
POST   /api/v1/meetings/{meeting_id}/schedule             200+  403  404  404  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/meldcode/cases                             201  201  404  201  404  404  404  401  403  401  401  404  404  403  404
GET    /api/v1/meldcode/cases/{case_id}                   200+  404  404  200+  404  404  404  401  404  401  401  404  404  404  404
POST   /api/v1/meldcode/cases/{case_id}/handback          201+  404  404  201+  404  404  404  401  403  401  401  404  404  403  404
POST   /api/v1/meldcode/cases/{case_id}/overrides         201  404  404  201  404  404  404  401  403  401  401  404  404  403  404
GET    /api/v1/meldcode/cases/{case_id}/report            200+  404  404  200+  404  404  404  401  404  401  401  404  404  404  404
POST   /api/v1/meldcode/cases/{case_id}/steps             422  404  404  422  404  404  404  401  403  401  401  404  404  403  404
POST   /api/v1/observations                               201  403  403  403  403  403  403  401  403  401  401  201  403  201  403
POST   /api/v1/observations/preview                       200+  200  200  403  403  403  403  401  200  401  401  200  403  200  200
GET    /api/v1/observations/{observation_id}              200+  404  404  403  403  403  403  401  404  401  401  404  403  404  404
POST   /api/v1/observations/{observation_id}/amendments   201  404  404  403  403  403  403  401  404  401  401  404  403  404  404
POST   /api/v1/organisations                              403  403  403  403  403  403  201  401  403  401  401  403  403  403  403
GET    /api/v1/outbox                                     403  403  403  403  403  403  200  401  403  401  401  403  403  403  403
POST   /api/v1/outbox/{message_id}/send-again             403  403  403  403  403  403  409  401  403  401  401  403  403  403  403
GET    /api/v1/organisations/{organisation_id}            200  200  200  200  200  200  200  401  200  401  401  200  200  200  200
POST   /api/v1/overrides/{override_id}/approve            403  403  404  200  404  404  404  401  403  401  401  404  404  404  404
POST   /api/v1/overrides/{override_id}/revoke             403  404  404  200  404  404  404  401  404  401  401  404  404  404  404
POST   /api/v1/plans/actions/{action_id}                  403  200  404  403  404  404  404  401  200  401  401  404  404  404  404
GET    /api/v1/quality/households/{household_id}          200  404  404  404  404  404  404  401  404  401  401  404  404  404  404
GET    /api/v1/quality/summary                            403  403  403  403  403  200  403  401  403  401  401  403  200  403  403
GET    /auth/callback                                     403  403  403  403  403  403  403  403  -    403  403  403  403  -    403
GET    /beheer                                            403  403  403  403  403  403  200  303  -    303  303  403  403  -    403
GET    /beheer/e-mail                                     403  403  403  403  403  403  200  303  -    303  303  403  403  -    403
POST   /beheer/e-mail/{message_id}/opnieuw                403  403  403  403  403  403  409  303  -    303  303  403  403  -    403
GET    /beheer/koppelingen/nieuw                          403  403  403  403  403  403  200  303  -    303  303  403  403  -    403
GET    /beheer/koppelingen/nieuw/klaar                    403  403  403  403  403  403  200  303  -    303  303  403  403  -    403
POST   /beheer/koppelingen                                403  403  403  403  403  403  303  303  -    303  303  403  403  -    403
GET    /beheer/medewerkers/nieuw                          403  403  403  403  403  403  200  303  -    303  303  403  403  -    403
POST   /beheer/medewerkers                                403  403  403  403  403  403  303  303  -    303  303  403  403  -    403
GET    /beheer/organisaties/nieuw                         403  403  403  403  403  403  200  303  -    303  303  403  403  -    403
POST   /beheer/organisaties                               403  403  403  403  403  403  303  303  -    303  303  403  403  -    403
GET    /beheer/teams/nieuw                                403  403  403  403  403  403  200  303  -    303  303  403  403  -    403
POST   /beheer/teams                                      403  403  403  403  403  403  303  303  -    303  303  403  403  -    403
GET    /bijeenkomsten                                     200  200  200  200  200  200  200  303  -    303  303  200  200  -    200
POST   /bijeenkomsten                                     303  404  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /bijeenkomsten/nieuw                               200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
GET    /bijeenkomsten/{meeting_id}                        200+  200  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /bijeenkomsten/{meeting_id}/agenda.ics             200  200  404  404  404  404  404  303  -    303  303  404  404  -    404
POST   /bijeenkomsten/{meeting_id}/annuleren              303  403  404  404  404  404  404  303  -    303  303  404  404  -    404
POST   /bijeenkomsten/{meeting_id}/beschikbaarheid        303  303  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /bijeenkomsten/{meeting_id}/dag                    200+  403  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /bijeenkomsten/{meeting_id}/kolommen               200  200  404  404  404  404  404  303  -    303  303  404  404  -    404
POST   /bijeenkomsten/{meeting_id}/komst                  303  303  404  404  404  404  404  303  -    303  303  404  404  -    404
POST   /bijeenkomsten/{meeting_id}/plannen                303  403  404  404  404  404  404  303  -    303  303  404  404  -    404
POST   /bijeenkomsten/{meeting_id}/toestemming            303  403  404  404  404  404  404  303  -    303  303  404  404  -    404
POST   /bijeenkomsten/{meeting_id}/uitkomst               303  403  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /bijeenkomsten/{meeting_id}/verslag                200+  200  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /bijeenkomsten/{meeting_id}/verslag.pdf            200+  200  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /bijeenkomsten/{meeting_id}/voorbereiding          200+  200+  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /calendar/{token}.ics                              200  200  200  200  200  200  200  200  -    200  200  200  200  -    200
GET    /docs                                              200  200  200  200  200  200  200  200  -    200  200  200  200  -    200
GET    /doorbrekingen/{override_id}                       200  404  404  200  404  404  404  303  -    303  303  404  404  -    404
GET    /fhir/Consent                                      200  200  200  200  200  200  200  401  200  401  401  200  200  200  200
GET    /fhir/Consent/{consent_id}                         200  200  404  200  404  404  404  401  200  401  401  404  404  404  404
GET    /fhir/metadata                                     200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
GET    /informatieverzoeken                               200+  200  200  200+  200  200  200  303  -    303  303  200  200  -    200+
POST   /informatieverzoeken                               303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
GET    /informatieverzoeken/nieuw                         200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /informatieverzoeken/{request_id}/antwoord         404  404  404  404  404  404  404  303  -    303  303  404  404  -    303
POST   /doorbrekingen/{override_id}/goedkeuren            403  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /doorbrekingen/{override_id}/intrekken             403  404  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /doorbrekingen/{override_id}/uitstel               403  404  404  409  404  404  404  303  -    303  303  404  404  -    404
GET    /healthz                                           200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
GET    /gezinnen                                          200+  200  200  200+  200  200  200  303  -    303  303  200  200  -    200
GET    /gezinnen/{household_id}                           200+  200+  404  200+  404  404  404  303  -    303  303  404  404  -    404
GET    /huishoudens                                       200+  200  200  200  200  200  200  303  -    303  303  200  200  -    200
GET    /huishoudens/nieuw                                 200  403  403  403  403  403  403  303  -    303  303  200  403  -    403
POST   /huishoudens/nieuw                                 303  403  403  403  403  403  403  303  -    303  303  303  403  -    403
GET    /huishoudens/{household_id}                        200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/leden/{member_id}/link 303  404  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /huishoudens/{household_id}/leden/{member_id}/link 303  303  303  303  303  303  303  303  -    303  303  303  303  -    303
GET    /huishoudens/{household_id}/gezag                  200+  403  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/gezag                  303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
GET    /huishoudens/{household_id}/hulp                   200+  403  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/hulpvraag         303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/veiligheid        303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/kindgesprek       303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/familiegroepsplan 303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/evaluatie         303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/opschaling        303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/opschaling/{escalation_id}/uitkomst 303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/andere-plannen    303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/andere-plannen/{other_plan_id} 303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/terugkoppeling    303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/hulp/afsluiten         303  403  404  303  404  404  404  303  -    303  303  404  404  -    404
GET    /huishoudens/{household_id}/plan                   200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
GET    /huishoudens/{household_id}/signalen               200+  200+  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/signalen               303  403  404  303  404  404  404  303  -    303  303  303  303  -    404
GET    /huishoudens/{household_id}/signalen/nieuw         200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/signalen/voorbeeld     200+  200  200  200+  200  200  200  303  -    303  303  200  200  -    200
GET    /huishoudens/{household_id}/toestemming            200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /huishoudens/{household_id}/toestemming            303  303  404  403+  404  404  404  303  -    303  303  404  404  -    404
GET    /huishoudens/{household_id}/toestemming/wie        200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
GET    /kwaliteit                                         403  403  403  403  403  200  403  303  -    303  303  403  200  -    403
GET    /kwaliteit/huishoudens/{household_id}              200  404  404  404  404  404  404  303  -    303  303  404  404  -    404
GET    /login                                             302  302  302  302  302  302  302  302  -    302  302  302  302  -    302
POST   /logout                                            303  303  303  303  303  303  303  303  -    303  303  303  303  -    303
GET    /meldcode/nieuw                                    200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
GET    /meldcode/overzicht                                403  403  403  200  200  403  403  303  -    303  303  403  403  -    403
POST   /meldcode/zaken                                    303  303  404  303  404  404  404  303  -    303  303  404  404  -    404
GET    /meldcode/zaken/{case_id}                          200+  404  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /meldcode/zaken/{case_id}/afschaling               303  404  404  303  404  404  404  303  -    303  303  404  404  -    404
POST   /meldcode/zaken/{case_id}/doorbreking              303  404  404  303  404  404  404  303  -    303  303  404  404  -    404
GET    /meldcode/zaken/{case_id}/melding                  200+  404  404  200+  404  404  404  303  -    303  303  404  404  -    404
POST   /meldcode/zaken/{case_id}/stap                     422+  404  404  422+  404  404  404  303  -    303  303  404  404  -    404
GET    /mijn                                              401  401  401  401  401  401  401  401  -    401  200+  401  401  -    401
GET    /mijn/link/{token}                                 200  200  200  200  200  200  200  200  -    200  200  200  200  -    200
POST   /mijn/link/{token}                                 303  303  303  303  303  303  303  303  -    303  303  303  303  -    303
POST   /mijn/prive                                        401  401  401  401  401  401  401  401  -    401  303  401  401  -    401
POST   /mijn/toestemming/{consent_id}/intrekken           401  401  401  401  401  401  401  401  -    401  303  401  401  -    401
POST   /mijn/uitloggen                                    303  303  303  303  303  303  303  303  -    303  303  303  303  -    303
POST   /mijn/vernietiging                                 401  401  401  401  401  401  401  401  -    401  303  401  401  -    401
GET    /oauth/authorize                                   400  400  400  400  400  400  400  400  400  400  400  400  400  400  400
POST   /oauth/authorize                                   403  403  403  403  403  403  403  403  403  403  403  403  403  403  403
GET    /oauth/jwks                                        200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
POST   /oauth/token                                       400  400  400  400  400  400  400  400  400  400  400  400  400  400  400
GET    /oauth/userinfo                                    200  200  200  200  200  200  200  401  403  401  401  200  200  403  200
POST   /oauth/userinfo                                    200  200  200  200  200  200  200  401  403  401  401  200  200  403  200
GET    /openapi.json                                      200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
POST   /plan-acties/{action_id}                           403  303  404  403  404  404  404  303  -    303  303  404  404  -    404
GET    /readyz                                            200  200  200  200  200  200  200  200  200  200  200  200  200  200  200
GET    /taal/{language}                                   303  303  303  303  303  303  303  303  -    303  303  303  303  -    303
GET    /toestemmingen/{consent_id}/bewijs                 200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
GET    /toestemmingen/{consent_id}/bewijs.pdf             200+  200  404  200+  404  404  404  303  -    303  303  404  404  -    404
GET    /uitnodiging/bedankt                               200  200  200  200  200  200  200  200  -    200  200  200  200  -    200
GET    /uitnodiging/{token}                               200  200  200  200  200  200  200  200  -    200  200  200  200  -    200
POST   /uitnodiging/{token}                               303  303  303  303  303  303  303  303  -    303  303  303  303  -    303
GET    /verantwoording                                    403  403  403  403  200  403  403  303  -    303  303  403  403  -    403
GET    /verantwoording/gebeurtenissen/{seq}               403  403  403  403  200  403  403  303  -    303  303  403  403  -    403
GET    /verantwoording/gebeurtenissen/{seq}/bewijs        403  403  403  403  200  403  403  303  -    303  303  403  403  -    403
GET    /verantwoording/personen                           403  403  403  403  200  403  403  303  -    303  303  403  403  -    403
POST   /verantwoording/personen                           403  403  403  403  303  403  403  303  -    303  303  403  403  -    403
GET    /verantwoording/personen/{subject_id}              403  403  403  403  200+ 403  403  303  -    303  303  403  403  -    403
GET    /verantwoording/personen/{subject_id}/pdf          403  403  403  403  200+ 403  403  303  -    303  303  403  403  -    403
GET    /verantwoording/tijdlijn                           403  403  403  403  200  403  403  303  -    303  303  403  403  -    403
GET    /verantwoording/vernietiging                       403  403  403  403  200  403  403  303  -    303  303  403  403  -    403
POST   /verantwoording/vernietiging/{request_id}          403  403  403  403  303  403  403  303  -    303  303  403  403  -    403
"""


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    cells: dict[str, str]


def parse(table: str) -> list[Row]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0][2:], lines[1:]
    assert header == list(PERSONAS), "the columns are the personas, in order"
    return [Row(method, path, dict(zip(header, cells, strict=True)))
            for method, path, *cells in rows]


ROWS = parse(TABLE)
SAFETY = load_policy(PROJECT_ROOT / "policies").safety.questions

# Which id of the world fills each path parameter; some routes take another one.
PARAMS = {"household_id": "household", "consent_id": "consent", "observation_id": "observation",
          "case_id": "case", "override_id": "override", "meeting_id": "meeting",
          "token": "link", "seq": "seq", "subject_id": "child", "organisation_id": "school",
          "activity_id": "regie-jeugd",
          "action_id": "action", "language": "en", "member_id": "mother",
          "request_id": "request", "mandate_id": "mandate", "withholding_id": "withholding",
          "incapacity_id": "nothing", "representation_id": "nothing",
          "escalation_id": "escalation", "other_plan_id": "other_plan", "message_id": "message"}
POLL_ROUTES = ("/availability", "/schedule", "/cancel", "/beschikbaarheid", "/plannen",
               "/annuleren")
HELD_ROUTES = ("/minutes", "/verslag", "/verslag.pdf")
QUERIES = {
    "/api/v1/consents": {"subject_id": "child"},
    "/fhir/Consent": {"patient": "child"},
    "/api/v1/audit/consistency": {"first": "1", "second": "2"},
    "/huishoudens/{household_id}/toestemming/wie": {"subject_id": "child"},
    "/meldcode/nieuw": {"household": "household"},
    "/bijeenkomsten/nieuw": {"household": "household"},
    "/informatieverzoeken/nieuw": {"household": "household"},
}


def is_page(path: str) -> bool:
    return not path.startswith(("/api/", "/oauth/", "/.well-known/", "/healthz", "/readyz",
                                "/fhir/", "/openapi.json"))


def body_for(row: Row, ids: dict[str, str]) -> dict[str, Any] | None:
    """A request body that would succeed for a caller who may do this."""
    today = local_day(now()).isoformat()
    later = (local_day(now()) + timedelta(days=23)).isoformat()
    consent = {"subject_id": ids["child"], "categories": ["opvoeding"],
               "recipients": [{"organisation_id": ids["school"]}], "purposes": ["hulpverlening"],
               "grantor_ids": [ids["mother"]], "evidence": {"method": "written"}}
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/v1/organisations"): {"name": "Nieuwe school", "party": "school"},
        ("POST", "/api/v1/households"): {"label": "Gezin X.", "members": [
            {"ref": "a", "given_name": "Ad", "family_name": "Ex", "birth_date": "1980-01-01",
             "role": "parent"}]},
        ("PUT", "/api/v1/households/{household_id}/regisseur"): {
            "professional_id": ids["successor"]},
        ("POST", "/api/v1/consents"): consent,
        ("POST", "/api/v1/consents/{consent_id}/withdraw"): {"grantor_id": ids["mother"]},
        ("POST", "/api/v1/decisions"): {
            "subject_id": ids["child"], "category": "onderwijs", "purpose": "hulpverlening",
            "recipient": {"organisation_id": ids["school"]}},
        ("POST", "/api/v1/observations"): {
            "subject_id": ids["child"], "category": "onderwijs", "concern": "low",
            "observed_on": days_from_today(-3), "body": "Nieuwe waarneming."},
        ("POST", "/api/v1/observations/preview"): {
            "subject_id": ids["child"], "category": "onderwijs", "concern": "low",
            "observed_on": days_from_today(-3), "body": "Nieuwe waarneming."},
        ("POST", "/api/v1/observations/{observation_id}/amendments"): {
            "kind": "correction", "body": "Verbeterd."},
        ("POST", "/api/v1/meldcode/cases"): {"child_id": ids["child"]},
        ("POST", "/api/v1/meldcode/cases/{case_id}/steps"): {"step": 1, "content": "x"},
        ("POST", "/api/v1/meldcode/cases/{case_id}/handback"): {"on": today},
        ("POST", "/api/v1/meldcode/cases/{case_id}/overrides"): {
            "subject_ids": [ids["child"]], "categories": ["gezondheid"],
            "recipients": [{"organisation_id": ids["school"], "legal_ground": "Grond."}],
            "justification": "Nodig.",
            "valid_until": f"{later}T00:00:00+01:00", "urgent": False,
            "inform_parents": {"planned_on": today}},
        ("POST", "/api/v1/overrides/{override_id}/approve"): {},
        ("POST", "/api/v1/overrides/{override_id}/restriction"): {
            "reason": "Nog niet veilig.", "review_on": later},
        ("POST", "/api/v1/mandates/{mandate_id}/restriction"): {
            "reason": "Nog niet veilig.", "review_on": later},
        ("POST", "/api/v1/mandates"): {
            "subject_id": ids["child"], "kind": "ots", "organisation_id": ids["school"],
            "reference": "C/09/1", "valid_from": today},
        ("POST", "/api/v1/mandates/{mandate_id}/end"): {"on": today},
        ("POST", "/api/v1/households/{household_id}/handbacks"): {
            "from_organisation_id": ids["team"], "to_organisation_id": ids["school"],
            "on": today},
        ("POST", "/api/v1/information-requests"): {
            "subject_id": ids["child"], "categories": ["psychische_gezondheid"],
            "holder_organisation_id": ids["jggz"], "purpose": "hulpverlening",
            "reason": "Wat weet u?"},
        ("POST", "/api/v1/information-requests/{request_id}/answer"): {
            "answer": "refused", "reason": "Niet nodig."},
        ("POST", "/api/v1/overrides/{override_id}/revoke"): {"reason": "Niet meer nodig."},
        ("POST", "/api/v1/meetings"): {
            "household_id": ids["household"], "title": "Evaluatie", "duration_minutes": 60,
            "location": "Wijkcentrum", "slots": [{"start": f"{later}T10:00:00+01:00"}],
            "invitees": [{"organisation_id": ids["school"], "required": True}]},
        ("POST", "/api/v1/meetings/{meeting_id}/availability"): {
            "answers": [{"slot_id": ids["poll_slot"], "answer": "yes"}]},
        ("POST", "/api/v1/invitations/{token}/availability"): {
            "answers": [{"slot_id": ids["poll_slot"], "answer": "yes"}]},
        ("POST", "/api/v1/meetings/{meeting_id}/schedule"): {"slot_id": ids["poll_slot"]},
        ("POST", "/api/v1/meetings/{meeting_id}/rsvp"): {"response": "accepted"},
        ("POST", "/api/v1/meetings/{meeting_id}/consents"): consent | {
            "present_member_ids": [ids["mother"]]},
        ("POST", "/api/v1/meetings/{meeting_id}/outcome"): outcome(
            ids["reg_professional"], ids["school"], assessment=True),
        ("POST", "/api/v1/plans/actions/{action_id}"): {"status": "done"},
        ("POST", "/api/v1/households/{household_id}/members/{member_id}/link"): {"send": False},
        ("POST", "/api/v1/destruction-requests/{request_id}/decision"): {
            "destroy": False, "ground": "aanmerkelijk_belang_ander",
            "reason": "Van belang voor een ander."},
        ("POST", "/api/v1/households/{household_id}/destruction-requests"): {
            "member_id": ids["mother"]},
        ("POST", "/api/v1/households/{household_id}/withholdings"): {
            "member_id": ids["mother"], "object_type": "plan_goal", "object_id": ids["goal"],
            "reason": "Niet goed voor het kind.", "review_on": later},
        ("POST", "/api/v1/withholdings/{withholding_id}/renew"): {"review_on": later},
        ("POST", "/api/v1/me/private"): {"object_type": "plan_goal", "object_id": ids["goal"]},
        ("POST", "/api/v1/me/private/share"): {"object_type": "plan_goal",
                                               "object_id": ids["goal"]},
        ("PUT", "/api/v1/households/{household_id}/custody"): {
            "custody": [{"custodian": ids["mother"], "child": ids["child"]}],
            "court_decision": {"reference": "C/09/1", "date": today}},
        ("POST", "/api/v1/households/{household_id}/incapacities"): {
            "subject_id": ids["child"], "categories": ["gezondheid"],
            "reason": "Kan het niet overzien.", "valid_until": later},
        ("POST", "/api/v1/households/{household_id}/representatives"): {
            "subject_id": ids["mother"], "representative_id": ids["mother"],
            "kind": "mentor", "court_decision": {"reference": "C/09/2", "date": today}},
        ("POST", "/oauth/token"): {},
        ("POST", "/api/v1/households/{household_id}/help-requests"): {
            "question": "Rust in huis.", "formulated_with": [ids["mother"]],
            "life_domains": ["onderwijs"],
            "safety_questions": {q.id: not q.full_assessment_when for q in SAFETY}},
        ("POST", "/api/v1/households/{household_id}/safety-assessments"): {
            "instrument": "LIRIK", "outcome": "veilig", "rationale": "Goed.", "on": today},
        ("POST", "/api/v1/households/{household_id}/child-contacts"): {
            "child_id": ids["child"], "on": today, "seen": True, "spoken": True,
            "view": {"wishes": "Voetballen."}},
        ("POST", "/api/v1/households/{household_id}/family-group-plan"): {
            "status": "offered", "on": today},
        ("POST", "/api/v1/households/{household_id}/evaluations"): {
            "on": today, "participants": [ids["mother"]],
            "goals": [{"priority": 1, "start": 3, "now": 6}], "safety_scale": 6,
            "safety_outcome": "veilig", "next_evaluation": later},
        ("POST", "/api/v1/households/{household_id}/escalations"): {
            "to": "raad", "why": "unsafe", "on": today, "reason": "Onveilig."},
        ("POST", "/api/v1/escalations/{escalation_id}/outcome"): {
            "outcome": "Onderzoek gestart.", "on": today},
        ("POST", "/api/v1/households/{household_id}/close"): {"reason": "gezin_stopt"},
        ("POST", "/api/v1/households/{household_id}/other-plans"): {
            "organisation_id": ids["school"], "kind": "coordinator", "reference": "ZC-1",
            "since": today},
        ("PATCH", "/api/v1/other-plans/{other_plan_id}"): {"linked": True},
        ("POST", "/api/v1/households/{household_id}/signal-feedback"): {
            "observation_id": ids["signal"], "outcome": "in_plan"},
    }
    return bodies.get((row.method, row.path))


def form_for(row: Row, ids: dict[str, str]) -> dict[str, Any]:
    """The fields of the page's form, filled as a user who may send it would."""
    today = local_day(now()).isoformat()
    later = (local_day(now()) + timedelta(days=23)).isoformat()
    forms: dict[str, dict[str, Any]] = {
        "/huishoudens/{household_id}/toestemming": {
            "subject_id": ids["child"], "categories": "opvoeding",
            "organisations": ids["school"], "purposes": "hulpverlening",
            "grantor_ids": ids["mother"], "method": "written"},
        "/huishoudens/{household_id}/signalen/voorbeeld": {
            "subject_id": ids["child"], "category": "onderwijs", "concern": "low"},
        "/huishoudens/{household_id}/signalen": {
            "subject_id": ids["child"], "category": "onderwijs", "concern": "low",
            "body": "Nieuwe waarneming."},
        "/meldcode/zaken": {"child_id": ids["child"]},
        "/meldcode/zaken/{case_id}/stap": {"step": "1", "content": "x"},
        "/meldcode/zaken/{case_id}/afschaling": {"on": today},
        "/meldcode/zaken/{case_id}/doorbreking": {
            "subject_ids": ids["child"], "categories": "gezondheid",
            "recipients": ids["school"], "legal_ground": "Grond.", "justification": "Nodig.",
            "valid_until": later, "planned_on": today},
        "/doorbrekingen/{override_id}/intrekken": {"reason": "Niet meer nodig."},
        "/huishoudens/nieuw": {"adult-0-given_name": "Ad", "adult-0-family_name": "Ex",
                               "adult-0-birth_date": "1980-01-01", "adult-0-role": "parent"},
        "/huishoudens/{household_id}/gezag": {f"custody:{ids['child']}": ids["mother"],
                                              "reference": "C/09/3", "date": today},
        "/mijn/prive": {"object_type": "plan_goal", "object_id": ids["goal"], "share": "1"},
        "/informatieverzoeken": {
            "household_id": ids["household"], "subject_id": ids["child"],
            "categories": "psychische_gezondheid", "holder_organisation_id": ids["jggz"],
            "reason": "Wat weet u?"},
        "/informatieverzoeken/{request_id}/antwoord": {"answer": "refused",
                                                       "reason": "Niet nodig."},
        "/doorbrekingen/{override_id}/uitstel": {"reason": "Nog niet veilig.",
                                                 "review_on": later},
        "/bijeenkomsten": {"household_id": ids["household"], "title": "Evaluatie",
                           "location": "Wijkcentrum", "slots": f"{later}T10:00",
                           "organisations": ids["school"]},
        "/bijeenkomsten/{meeting_id}/beschikbaarheid": {f"slot:{ids['poll_slot']}": "yes"},
        "/bijeenkomsten/{meeting_id}/plannen": {"slot_id": ids["poll_slot"]},
        "/bijeenkomsten/{meeting_id}/komst": {"response": "accepted"},
        "/uitnodiging/{token}": {f"slot:{ids['poll_slot']}": "yes"},
        "/bijeenkomsten/{meeting_id}/toestemming": {
            "subject_id": ids["child"], "categories": "opvoeding", "recipients": ids["school"],
            "grantor_ids": ids["mother"], "present": ids["mother"]},
        "/bijeenkomsten/{meeting_id}/uitkomst": {
            "child_needs": "Rust.", "parenting_capacity": "Moe.", "family_environment": "Klein.",
            "worries": "Verzuim", "strengths": "Oma", "next_steps": "Gesprek",
            "safety_scale": "6", "instrument": "LIRIK", "assessment_outcome": "veilig",
            "rationale": "Geen signalen.", "perspective": "Naar school.", "goal1": "Elke dag",
            "goal1_domain": "onderwijs", "action1": "Bellen", "action1_owner": ids["school"],
            "action1_due": days_from_today(40), "regisseur_id": ids["reg_professional"],
            "next_evaluation": days_from_today(62)},
        "/plan-acties/{action_id}": {"status": "done"},
        "/verantwoording/personen": {"name": "Quispelaar", "birth_date": "",
                                     "reason": "access_request", "reference": "AVG-2026-1"},
        "/beheer/organisaties": {"name": "Nieuwe school", "party": "school"},
        "/beheer/teams": {"organisation_id": ids["school"], "name": "Team Zuid"},
        "/beheer/medewerkers": {"organisation_id": ids["school"], "name": "Nieuwe Collega",
                                "email": "nieuw@school.example", "roles": "partner"},
        "/beheer/koppelingen": {"organisation_id": ids["school"], "name": "Leerlingvolgsysteem"},
        "/verantwoording/vernietiging/{request_id}": {"decision": "refuse", "reason": "Nodig.",
                                                    "ground": "wettelijk_voorschrift"},
        "/huishoudens/{household_id}/hulp/hulpvraag": {
            "question": "Rust in huis.", "formulated_with": ids["mother"],
            "life_domains": "onderwijs",
            **{f"safety:{q.id}": "nee" if q.full_assessment_when else "ja" for q in SAFETY}},
        "/huishoudens/{household_id}/hulp/veiligheid": {
            "instrument": "LIRIK", "outcome": "veilig", "rationale": "Goed.", "on": today},
        "/huishoudens/{household_id}/hulp/kindgesprek": {
            "child_id": ids["child"], "on": today, "seen": "1", "spoken": "1",
            "wishes": "Voetballen."},
        "/huishoudens/{household_id}/hulp/familiegroepsplan": {"status": "offered",
                                                               "on": today},
        "/huishoudens/{household_id}/hulp/evaluatie": {
            "on": today, "participants": ids["mother"], "goal1_start": "3", "goal1_now": "6",
            "safety_scale": "6", "safety_outcome": "veilig", "next_evaluation": later},
        "/huishoudens/{household_id}/hulp/opschaling": {
            "to": "raad", "why": "unsafe", "on": today, "reason": "Onveilig."},
        "/huishoudens/{household_id}/hulp/opschaling/{escalation_id}/uitkomst": {
            "outcome": "Onderzoek gestart.", "on": today},
        "/huishoudens/{household_id}/hulp/andere-plannen": {
            "organisation_id": ids["school"], "kind": "coordinator", "reference": "ZC-1",
            "since": today},
        "/huishoudens/{household_id}/hulp/andere-plannen/{other_plan_id}": {"change": "link"},
        "/huishoudens/{household_id}/hulp/terugkoppeling": {
            "observation_id": ids["signal"], "outcome": "in_plan"},
        "/huishoudens/{household_id}/hulp/afsluiten": {"reason": "gezin_stopt"},
    }
    return forms.get(row.path, {})


def url_for(row: Row, ids: dict[str, str]) -> tuple[str, dict[str, str]]:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "meeting_id" and row.path.endswith(POLL_ROUTES):
            return ids["poll"]
        if name == "meeting_id" and row.path.endswith(HELD_ROUTES):
            return ids["held"]
        if name == "token" and row.path.startswith("/mijn/link/"):
            return ids["family_link"]
        if name == "token" and row.path.startswith("/calendar/"):
            return ids["feed"]
        if name == "request_id" and row.path.startswith(("/api/v1/information-requests",
                                                           "/informatieverzoeken")):
            return ids["information_request"]
        return ids.get(PARAMS[name], PARAMS[name])

    path = re.sub(r"\{(\w+)\}", fill, row.path)
    query = {key: ids.get(value, value) for key, value in QUERIES.get(row.path, {}).items()}
    return path, query


@dataclass
class Matrix:
    client: TestClient
    world: World
    engine_connection: Any
    app: FastAPI
    context: Any
    mailbox: Mailbox
    built_mails: list[bytes]  # what building the world sent

    def ask(self, row: Row, persona: str, csrf: str | None = None) -> tuple[int, str]:
        """One request, in a savepoint rolled back afterwards; `csrf` replaces the form's
        CSRF token."""
        with self.savepoint():
            response = self.send(row, persona, csrf=csrf)
            return response.status_code, response.text

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """The app's requests in here run in a savepoint that is rolled back at the end."""
        savepoint = self.engine_connection.begin_nested()
        session = Session(bind=self.engine_connection, join_transaction_mode="create_savepoint",
                          expire_on_commit=False, info={INFO_KEY: self.context})
        serve_in(self.app, session)
        try:
            yield
        finally:
            session.close()
            savepoint.rollback()

    def send(self, row: Row, persona: str, *, csrf: str | None = None,
             form: dict[str, str] | None = None) -> httpx.Response:
        """The row's request as `persona` (inside `savepoint()`); `form` replaces the form's
        fields."""
        caller = self.world.personas[persona]
        path, query = url_for(row, self.world.ids)
        self.client.cookies.clear()
        self.client.cookies.update(caller.cookies)
        if is_page(row.path):
            token = caller.csrf if csrf is None else csrf
            fields = form_for(row, self.world.ids) if form is None else form
            data = fields | ({"csrf_token": token} if token else {})
            return self.client.request(
                row.method, path, params=query, headers={"accept": "text/html"},
                data=data if row.method == "POST" else None, follow_redirects=False)
        body = body_for(row, self.world.ids)
        return self.client.request(
            row.method, path, params=query, headers=caller.headers,
            json=body if row.method in ("POST", "PUT", "PATCH") and row.path != "/oauth/token"
            else None, follow_redirects=False)


@pytest.fixture(scope="module")
def matrix(app: FastAPI, engine: Engine, policy: Policy,
           smtp_module: Mailbox) -> Iterator[Matrix]:
    connection = engine.connect()
    outer = connection.begin()
    context = with_smtp(app.state.audit, smtp_module)
    session = Session(bind=connection, join_transaction_mode="create_savepoint",
                      expire_on_commit=False, info={INFO_KEY: context})
    smtp_module.serve(session)
    serve_in(app, session)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        world = build(client, session, policy)
        session.close()
        yield Matrix(client, world, connection, app, context, smtp_module,
                     list(smtp_module.messages))
    app.dependency_overrides.clear()
    outer.rollback()
    connection.close()


@pytest.fixture(scope="module")
def smtp_module() -> Iterator[Mailbox]:
    with smtp_mailbox() as mailbox:
        yield mailbox


def routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.router.routes):
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


def test_every_route_has_a_row_and_every_row_a_route(app: FastAPI) -> None:
    listed = {(row.method, row.path) for row in ROWS}
    assert routes(app) - listed == set(), "routes without a row in the access matrix"
    assert listed - routes(app) == set(), "rows for routes that do not exist"
    cells = [cell for row in ROWS for cell in row.cells.values() if cell != "-"]
    note("access matrix", routes=len(ROWS), callers=len(PERSONAS), cells=len(cells),
         may_show_personal_data=sum(cell.endswith("+") for cell in cells))


FAMILY_ADDRESSES = {MOTHER["email"]}


def leaks(text: str, canaries: tuple[str, ...]) -> list[str]:
    return [canary for canary in canaries if canary in text]


def mail_leaks(raw: bytes, canaries: tuple[str, ...]) -> list[str]:
    """The family's data in a mail; a family member's own address in a mail to them is not."""
    text = mail_text(raw)
    for own in recipients(raw) & FAMILY_ADDRESSES:
        text = re.sub(re.escape(own), "", text, flags=re.IGNORECASE)
    return leaks(text, canaries)


def observed(matrix: Matrix, row: Row, persona: str) -> tuple[str, list[list[str]]]:
    """The status (with `+` when the response shows the family's data) and what each mail
    the request sent leaked."""
    sent = len(matrix.mailbox.messages)
    status, text = matrix.ask(row, persona)
    leaked = leaks(searchable(text), matrix.world.canaries)
    mails = [mail_leaks(raw, matrix.world.canaries) for raw in matrix.mailbox.messages[sent:]]
    return f"{status}{'+' if leaked else ''}", [m for m in mails if m]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.method} {r.path}" for r in ROWS])
def test_each_caller_gets_what_the_table_says(matrix: Matrix, row: Row) -> None:
    wrong = {}
    for persona, expected in row.cells.items():
        if expected == "-":
            continue
        got, mails = observed(matrix, row, persona)
        allowed_data = expected.endswith("+")
        if got.rstrip("+") != expected.rstrip("+") or (got.endswith("+") and not allowed_data):
            wrong[persona] = f"expected {expected}, got {got}"
        if mails:
            wrong[f"{persona} mail"] = f"mails holding the family's data: {mails}"
    assert wrong == {}, f"{row.method} {row.path}: {wrong}"


def test_the_mails_of_the_world_hold_no_family_data(matrix: Matrix) -> None:
    """The invitations sent while the world was built (two meetings scheduled)."""
    assert len(matrix.built_mails) >= 2 * 3
    assert [mail_leaks(raw, matrix.world.canaries) for raw in matrix.built_mails] == \
        [[]] * len(matrix.built_mails)


def test_the_leak_search_sees_through_folding_and_mime() -> None:
    """The search is not the raw text: an address folded in an ATTENDEE line, a name in a
    base64 attachment and in a quoted-printable body are found; a mail to the mother may
    hold her address."""
    from email.message import EmailMessage

    line = f"ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT:mailto:{MOTHER['email']}"
    folded = f"{line[:75]}\r\n {line[75:]}"
    known = canaries(years_ago(9))
    assert leaks(folded, known) == [] and leaks(searchable(folded), known) == [
        "zwaantje.quispelaar"]

    def message(to: str, body: str, attachment: str) -> bytes:
        mail = EmailMessage()
        mail["To"] = to
        mail.set_content(body, cte="quoted-printable")
        mail.add_attachment(attachment.encode(), maintype="text", subtype="calendar")
        return mail.as_bytes()

    # quoted-printable breaks this line inside the name ("Quispel=\naar")
    professional = message("a@school.example", "Beste mevrouw, " + "\u00e9" * 9 + " Quispelaar",
                           folded)
    assert b"Quispelaar" not in professional and b"zwaantje.quispelaar" not in professional
    assert mail_leaks(professional, known) == ["Quispelaar", "zwaantje.quispelaar"]
    own = message(MOTHER["email"], "Uitnodiging", folded)
    assert mail_leaks(own, known) == []
    assert mail_leaks(message(MOTHER["email"], "Dag Zwaantje", folded), known) == ["Zwaantje"]



FORMS = [row for row in ROWS if row.method == "POST" and is_page(row.path)]


@pytest.mark.parametrize("row", FORMS, ids=[row.path for row in FORMS])
def test_every_form_refuses_a_post_without_its_csrf_token(matrix: Matrix, row: Row) -> None:
    """Issue 10 item 7: for a caller the table lets through, the same post without the
    token, or with another, is refused (403 csrf) and changes nothing."""
    persona = rightful(row)
    for csrf in ("", "not-the-token"):
        status, text = matrix.ask(row, persona, csrf=csrf)
        assert status == 403 and "csrf" in text, (persona, csrf, status)


def rightful(row: Row) -> str:
    """The first caller the table lets post this form; the family member last, as a 303 is
    its login redirect on a professional's page."""
    allowed = [p for p, cell in row.cells.items() if cell.startswith("2") or (
        p not in ("ext", "anon") and cell.rstrip("+") not in ("-", "401", "403", "404"))]
    allowed.sort(key=lambda p: p == "fam")
    assert allowed, "a form nobody may post"
    return allowed[0]


# A form that only shows what would happen, and stores nothing.
PREVIEWS = {"/huishoudens/{household_id}/signalen/voorbeeld"}


def test_acceptance_3_a_form_that_succeeds_answers_with_a_redirect() -> None:
    """Issue 20 acceptance 3: reloading a page after a POST repeats nothing. Every page form
    that succeeds answers 303 to a page to GET (the table above is checked against the
    running broker), so the browser's reload asks for that page, not the POST again."""
    answered_in_place = [(row.path, persona) for row in ROWS
                         if row.method == "POST" and is_page(row.path)
                         and row.path not in PREVIEWS
                         for persona, cell in row.cells.items() if cell.startswith("2")]
    assert answered_in_place == []
