"""Issue 11 acceptance 3: a newcomer runs `make run` on an empty database, logs in as each
demo role with the password it printed, and reaches that role's main page — in Debian's
Chromium. The real `make run` runs here, against a fresh database of the test's backend."""

import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from broker.config import PROJECT_ROOT
from broker.demo import ACCOUNTS, Account
from tests.conftest import free_port
from tests.databases import fresh_database

pytestmark = pytest.mark.browser
LOGIN_LINE = re.compile(r"^\s+(\S+@\S+)\s+(\S+)\s+(.+)$")
MAIN_HEADINGS = {"/huishoudens": "Mijn huishoudens", "/kwaliteit": "Klaar voor toezicht",
                 "/bijeenkomsten": "Bijeenkomsten",
                 "/meldcode/overzicht": "Doorbrekingen beoordelen",
                 "/verantwoording": "Logboek van verwerkingen", "/beheer": "Beheer"}


class Run:
    def __init__(self, process: subprocess.Popen[str], port: int, logins: dict[str, str]
                 ) -> None:
        self.process, self.url, self.logins = process, f"http://127.0.0.1:{port}", logins


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    tmp = tmp_path_factory.mktemp("make-run")
    port = free_port()
    env = {**os.environ, "BROKER_DATABASE_URL": fresh_database(tmp, "demo"),
           "BROKER_KEY_DIR": str(tmp / "keys"), "BROKER_MAIL_DIR": str(tmp / "mail"),
           "BROKER_BASE_URL": f"http://127.0.0.1:{port}", "BROKER_LOG_FORMAT": "json"}
    process = subprocess.Popen(["make", "--no-print-directory", "run", f"PORT={port}"],
                               cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        yield Run(process, port, _printed_logins(process, port))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _printed_logins(process: subprocess.Popen[str], port: int) -> dict[str, str]:
    """The e-mail addresses and passwords `make run` printed, once the server answers."""
    assert process.stdout is not None
    logins: dict[str, str] = {}
    for line in process.stdout:  # the demo prints its logins, then the server starts
        if found := LOGIN_LINE.match(line):
            logins[found.group(1)] = found.group(2)
        if len(logins) == len(ACCOUNTS):
            break
    assert len(logins) == len(ACCOUNTS), f"make run printed {len(logins)} logins"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz"):
                return logins
        except OSError:
            assert process.poll() is None, "make run stopped"
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.email.split("@")[0])
def test_each_demo_role_logs_in_and_reaches_its_main_page(page: Page, make_run: Run,
                                                          account: Account) -> None:
    email, main_page = account.email, account.main_page
    page.goto(make_run.url + "/")
    page.get_by_role("link", name="Inloggen").first.click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(make_run.logins[email])
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name=re.compile("^Welkom"))).to_be_visible()
    page.locator(f'nav a[href="{main_page}"]').first.click()
    expect(page).to_have_url(make_run.url + main_page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(MAIN_HEADINGS[main_page])
    expect(page.locator("main")).not_to_contain_text("Something went wrong")
