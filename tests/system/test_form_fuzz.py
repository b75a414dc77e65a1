"""Issue 17: every page form of the access matrix, posted by the user it is for with one field
garbled at a time (a word where a number goes, empty, very long, an unknown choice, an
impossible date, out of range): no 5xx, a refusal is a Dutch page, and a refused post writes
nothing. The fields are the matrix's own and those the pages' forms really have."""

from collections import defaultdict
from html.parser import HTMLParser

import pytest
from sqlalchemy import Connection, select

from broker.db import Base
from tests.soak import note
from tests.system.test_access_matrix import (  # noqa: F401 (fixtures)
    FORMS,
    ROWS,
    Matrix,
    Row,
    form_for,
    is_page,
    matrix,
    rightful,
    smtp_module,
    url_for,
)

GARBLED = ("een", "", "x" * 5000, "onbekend-soort", "2026-02-30", "-1",
           "99999999999999999999")
# What may change when a post is refused: the audit trail records the attempt.
AUDIT = {"audit_checkpoints", "audit_events", "audit_head", "audit_nodes", "audit_pending"}
POSTS: dict[str, int] = {}


class Forms(HTMLParser):
    """The field names of every POST form on a page, by the form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, set[str]] = defaultdict(set)
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            post = (found.get("method") or "get").lower() == "post"
            self.action = (found.get("action") or "").split("?")[0] if post else None
        elif tag in ("input", "select", "textarea") and self.action and found.get("name"):
            self.fields[self.action].add(str(found["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.action = None


@pytest.fixture(scope="module")
def page_fields(matrix: Matrix) -> dict[str, set[str]]:  # noqa: F811
    """What the forms on the matrix's pages hold, by action, as each caller the table lets in
    sees them."""
    forms = Forms()
    for row in ROWS:
        if row.method != "GET" or not is_page(row.path):
            continue
        for persona, cell in row.cells.items():
            if cell.startswith("200"):
                with matrix.savepoint():
                    forms.feed(matrix.send(row, persona).text)
    return dict(forms.fields)


def fields_of(row: Row, matrix: Matrix, page_fields: dict[str, set[str]]) -> set[str]:  # noqa: F811
    """The matrix's fields for the form and those of the page forms that post to it."""
    action, _ = url_for(row, matrix.world.ids)
    found = set(form_for(row, matrix.world.ids)) | page_fields.get(action, set())
    return found - {"csrf_token"}


def written(connection: Connection) -> dict[str, list[str]]:
    """Every row of every table but the audit trail's, as text."""
    return {table.name: sorted(repr(tuple(r)) for r in connection.execute(select(table)))
            for table in Base.metadata.sorted_tables if table.name not in AUDIT}


@pytest.mark.parametrize("row", FORMS, ids=[row.path for row in FORMS])
def test_a_garbled_form_is_refused_with_a_page_and_writes_nothing(
        matrix: Matrix, page_fields: dict[str, set[str]], row: Row) -> None:  # noqa: F811
    persona = rightful(row)
    valid = form_for(row, matrix.world.ids)
    wrong: dict[str, str] = {}
    posts = 0
    for field in sorted(fields_of(row, matrix, page_fields)):
        for value in GARBLED:
            with matrix.savepoint():
                before = written(matrix.engine_connection)
                response = matrix.send(row, persona, form=valid | {field: value})
                after = written(matrix.engine_connection)
            posts += 1
            what = f"{field}={value[:20]!r}"
            if response.status_code >= 500:
                wrong[what] = f"{response.status_code}"
            elif response.status_code >= 400 and (
                    "text/html" not in response.headers.get("content-type", "")):
                wrong[what] = f"{response.status_code} is not a page"
            elif response.status_code >= 400 and before != after:
                wrong[what] = f"{response.status_code} but wrote " + ", ".join(
                    t for t in before if before[t] != after[t])
    POSTS[row.path] = posts
    if len(POSTS) == len(FORMS):
        note("form fuzzing", forms=len(FORMS), posts=sum(POSTS.values()))
    assert wrong == {}


def test_a_form_that_is_accepted_is_seen_writing(matrix: Matrix) -> None:  # noqa: F811
    """The check above can fail: the valid consent form writes, and `written` sees it."""
    [row] = [r for r in FORMS if r.path == "/huishoudens/{household_id}/toestemming"]
    with matrix.savepoint():
        before = written(matrix.engine_connection)
        response = matrix.send(row, rightful(row))
        after = written(matrix.engine_connection)
    assert response.status_code == 303
    assert {t for t in before if before[t] != after[t]} >= {"consents", "consent_grantors"}
