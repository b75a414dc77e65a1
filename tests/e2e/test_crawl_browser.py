"""Issue 20 acceptance 2: every page of the demo, as every demo role and as a parent, in
Debian's Chromium on a 390 px phone. On each page: no status >= 500, no English leftover or raw
code in the Dutch text, axe-core (WCAG 2.1 AA) finds no serious or critical violation, and
nothing scrolls sideways. The crawl follows the links each role sees from its start page,
a few pages per kind of page (ids are folded), so it reaches what a user can click to."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from broker import demo
from broker.app import create_app
from broker.db import Database
from broker.policy import Policy
from tests.conftest import _ServerThread, free_port, make_settings
from tests.databases import fresh_database

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PAGES_PER_KIND = 2
PAGES_PER_ROLE = 45
# Downloads and actions a crawl must not follow (they are checked by their own tests), and
# the API documentation: Swagger UI, for developers, in the API's own (English) words.
NOT_PAGES = re.compile(r"^/(logout|mijn/uitloggen|taal/|static/|openapi\.json|oauth/|api/|docs$)"
                       r"|\.(ics|pdf|json)$|/pdf$")
FOLD = re.compile(r"/(?:[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{32}|\d+|[A-Za-z0-9_-]{20,})(?=/|$)")
# Words that showed through in Dutch pages (issue 20), and the shape of a raw code.
LEFTOVERS = re.compile(
    r"\b(written|active|expired|withdrawn|pending|success|failure|denied|allowed|"
    r"No slot|lies in the future|Not Found|Forbidden|Internal Server Error|None|True|False|"
    r"required|optional|regisseur_named|if_need_be)\b")
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
SERIOUS = {"serious", "critical"}
AXE = Axe()


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def add(self, path: str, what: str) -> None:
        self.problems.append(f"{path}: {what}")


@dataclass
class Demo:
    url: str
    family_link: str


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("crawl")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = fresh_database(tmp, "crawl")
    database = Database.from_url(database_url)
    app = create_app(make_settings(tmp, database_url=database_url, base_url=url,
                                   mail_dir=tmp / "mail"),
                     policy=policy, database=database)
    cast = demo.fill(database.sessionmaker.begin, policy, households_count=6)
    assert cast.family_link
    thread = _ServerThread(app, port)
    thread.start_and_wait()
    yield Demo(url, cast.family_link)
    thread.server.should_exit = True
    thread.join(timeout=10)
    database.engine.dispose()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    yield context.new_page()
    context.close()


def visible_text(page: Page) -> str:
    """The text a reader sees, without technical identifiers shown as `<code>`."""
    return page.evaluate("""() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('code, script, style, template').forEach(e => e.remove());
        return body.innerText; }""")


def check(page: Page, path: str, status: int, findings: Findings) -> None:
    if status >= 500:
        findings.add(path, f"status {status}")
        return
    text = visible_text(page)
    for word in sorted({m.group(0) for m in LEFTOVERS.finditer(text)}):
        findings.add(path, f"English or raw text {word!r}")
    for code in sorted({m.group(0) for m in RAW_CODE.finditer(text)}):
        findings.add(path, f"raw code {code!r}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        findings.add(path, f"scrolls sideways ({width} px wide)")
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [n["target"] for n in violation["nodes"]][:3]
            findings.add(path, f"axe {violation['impact']} {violation['id']} at {targets}")


def crawl(page: Page, base: str, start: str, findings: Findings) -> None:
    queue, seen, per_kind = [start], {start}, {}  # type: ignore[var-annotated]
    while queue and len(findings.visited) < PAGES_PER_ROLE:
        path = queue.pop(0)
        kind = FOLD.sub("/{}", path.split("?")[0])
        if per_kind.get(kind, 0) >= PAGES_PER_KIND:
            continue
        per_kind[kind] = per_kind.get(kind, 0) + 1
        response = page.goto(base + path)
        assert response is not None
        findings.visited.append(path)
        if "text/html" not in response.headers.get("content-type", ""):
            assert response.status < 500, (path, response.status)
            continue  # a download (a proof as JSON): not a page to read
        check(page, path, response.status, findings)
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            link = urldefrag(href).url
            parts = urlsplit(link)
            if not link.startswith(base) or NOT_PAGES.search(parts.path):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                seen.add(local)
                queue.append(local)


def log_in(page: Page, base: str, account: demo.Account) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mailadres").fill(account.email)
    page.get_by_label("Wachtwoord").fill(account.password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


ROLES = {account.email.split("@")[0]: account for account in demo.ACCOUNTS
         if account.email.split("@")[0] in
         {"regisseur", "teamleider", "partner", "aandachtsfunctionaris", "huisarts", "fg",
          "beheer"}}


def report(findings: Findings) -> str:
    return "\n".join(findings.problems[:60]) + f"\n({len(findings.visited)} pages visited)"


@pytest.mark.parametrize("who", sorted(ROLES))
def test_acceptance_2_every_page_as_each_role(phone: Page, demo_server: Demo, who: str
                                              ) -> None:
    findings = Findings()
    log_in(phone, demo_server.url, ROLES[who])
    crawl(phone, demo_server.url, "/", findings)
    assert len(findings.visited) > 3, findings.visited
    assert not findings.problems, report(findings)


def test_acceptance_2_every_page_as_a_parent(phone: Page, demo_server: Demo) -> None:
    findings = Findings()
    phone.goto(demo_server.family_link)
    phone.locator("main form button[type=submit]").first.click()
    phone.wait_for_url(re.compile(r"/mijn$"))
    crawl(phone, demo_server.url, "/mijn", findings)
    assert not findings.problems, report(findings)


def test_acceptance_2_pages_before_login(phone: Page, demo_server: Demo) -> None:
    findings = Findings()
    crawl(phone, demo_server.url, "/", findings)
    assert "/login" in findings.visited or any(v.startswith("/login") for v in
                                                findings.visited), findings.visited
    assert not findings.problems, report(findings)
