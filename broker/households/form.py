"""The new-household page's form: rows of adults and children in, a `HouseholdCreate` out, or
what is wrong with which field (as codes; the page says it in Dutch)."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from broker.households.schemas import HouseholdCreate
from broker.households.service import valid_bsn

FIRST_ROWS = {"adult": 2, "child": 2}  # the empty rows a new form starts with
MAX_ROWS = 12  # per kind; the API takes at most 30 members
KINDS = ("adult", "child")
FIELDS = ("given_name", "family_name", "birth_date", "role", "bsn", "email", "custody")
_KEY = re.compile(r"^(adult|child)-(\d{1,2})-(\w+)$")


@dataclass
class Row:
    """One member's row: `kind` adult or child, numbered from 0 within its kind."""

    kind: str
    index: int
    given_name: str = ""
    family_name: str = ""
    birth_date: str = ""
    role: str = ""
    bsn: str = ""
    email: str = ""
    custody: list[str] = field(default_factory=list)  # keys of adult rows ('adult-0')

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.index}"

    @property
    def ref(self) -> str:
        """How the member is known where their name is not shown: 'ouder1', 'kind2'."""
        word = "kind" if self.kind == "child" else "ouder" if self.role == "parent" \
            else "gezinslid"
        return f"{word}{self.index + 1}"

    @property
    def empty(self) -> bool:
        return not any(v.strip() for v in (self.given_name, self.family_name,
                                           self.birth_date, self.bsn, self.email))


@dataclass
class NewHousehold:
    """What the form holds: the rows, the label and team, and the errors per field key
    ('adult-0-bsn', or 'form' for the whole form) as codes."""

    rows: list[Row]
    label: str = ""
    team_id: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def of(self, kind: str) -> list[Row]:
        return [r for r in self.rows if r.kind == kind]

    def adding(self, kind: str) -> "NewHousehold":
        """The same form with one more empty row of this kind (up to `MAX_ROWS`)."""
        if kind in KINDS and len(self.of(kind)) < MAX_ROWS:
            self.rows.append(Row(kind, len(self.of(kind)), role=_role(kind, "")))
        return self


def blank() -> NewHousehold:
    return NewHousehold([Row(kind, i, role=_role(kind, ""))
                         for kind in KINDS for i in range(FIRST_ROWS[kind])])


def _role(kind: str, given: str) -> str:
    if kind == "child":
        return "child"
    return given if given in ("parent", "other") else "parent"


def parse(fields: Mapping[str, Sequence[str]]) -> NewHousehold:
    """The rows as sent (at least the first rows; numbered as sent, gaps closed)."""
    found: dict[tuple[str, int], dict[str, list[str]]] = {}
    for key, values in fields.items():
        match = _KEY.match(key)
        if match and match.group(3) in FIELDS:
            kind, index, name = match.group(1), int(match.group(2)), match.group(3)
            found.setdefault((kind, index), {})[name] = [str(v) for v in values]
    rows = []
    for kind in KINDS:
        indexes = sorted(i for k, i in found if k == kind)[:MAX_ROWS]
        for new, old in enumerate(indexes):
            given = found[(kind, old)]
            one = {name: given.get(name, [""])[0].strip() for name in FIELDS}
            rows.append(Row(kind, new, one["given_name"], one["family_name"],
                            one["birth_date"], _role(kind, one["role"]), one["bsn"],
                            one["email"], [f"adult-{_renumbered(found, c)}" for c in
                                           given.get("custody", []) if c.startswith("adult-")]))
        while len([r for r in rows if r.kind == kind]) < FIRST_ROWS[kind]:
            rows.append(Row(kind, len([r for r in rows if r.kind == kind]),
                            role=_role(kind, "")))
    single = {key: (values[0] if values else "") for key, values in fields.items()}
    return NewHousehold(rows, str(single.get("label", "")).strip(),
                        str(single.get("team_id", "")).strip())


def _renumbered(found: Mapping[tuple[str, int], object], adult_key: str) -> str:
    """An adult row's key as sent ('adult-3') renumbered as the rows are ('adult-1')."""
    sent = sorted(i for k, i in found if k == "adult")
    try:
        return str(sent.index(int(adult_key.removeprefix("adult-"))))
    except ValueError:
        return "missing"


def body_of(form: NewHousehold) -> HouseholdCreate | None:
    """The API's body for the filled rows, or None with `form.errors` filled."""
    filled = [r for r in form.rows if not r.empty]
    by_key = {r.key: r for r in filled}
    custody = []
    for child in (r for r in filled if r.kind == "child"):
        for adult in child.custody:
            if adult in by_key:
                custody.append({"custodian": by_key[adult].ref, "child": child.ref})
            else:
                form.errors[f"{child.key}-custody"] = "empty_custodian"
    adults = [r for r in filled if r.kind == "adult"] or filled
    label = form.label or (f"Gezin {adults[0].family_name}" if adults and
                           adults[0].family_name else "Gezin")
    members = [{"ref": r.ref, "role": r.role,
                **{name: value for name in ("given_name", "family_name", "birth_date",
                                            "bsn", "email")
                   if (value := _clean(name, getattr(r, name)))}} for r in filled]
    for row in filled:  # the elfproef at once with the other fields (the service checks too)
        bsn = _clean("bsn", row.bsn)
        if re.fullmatch(r"\d{8,9}", bsn) and not valid_bsn(bsn):
            form.errors[f"{row.key}-bsn"] = "invalid_bsn"
    try:
        body = HouseholdCreate.model_validate({
            "label": label, "members": members, "custody": custody,
            **({"team_id": form.team_id} if form.team_id else {})})
    except ValidationError as exc:
        _validation_errors(form, filled, exc.errors())
        order(form)
        return None
    order(form)
    return None if form.errors else body


def order(form: NewHousehold) -> None:
    """The errors in the order of the page: the form's own, then row by row, field by field."""
    keys = ["form", "label"] + [f"{r.key}-{name}" for r in form.rows for name in FIELDS]
    rank = {key: n for n, key in enumerate(keys)}
    form.errors = dict(sorted(form.errors.items(), key=lambda item: rank.get(item[0], 0)))


def _clean(name: str, value: str) -> str:
    """A BSN as people write it ('1234 56 782', '123.456.782'): the digits."""
    return re.sub(r"[\s.\-]", "", value) if name == "bsn" else value


def _validation_errors(form: NewHousehold, filled: list[Row],
                       errors: Sequence[Mapping[str, Any]]) -> None:
    for error in errors:
        loc = tuple(error["loc"])
        if loc[:1] == ("members",) and len(loc) >= 3 and isinstance(loc[1], int):
            name = str(loc[2])
            key = f"{filled[loc[1]].key}-{name}"
            form.errors.setdefault(key, _code(name, str(error["type"])))
        elif loc[:1] == ("members",):
            form.errors.setdefault("form", "no_members")
        elif loc[:1] == ("label",):
            form.errors.setdefault("label", "too_long")
        else:
            form.errors.setdefault("form", "invalid")


def _code(name: str, kind: str) -> str:
    if kind in ("missing", "string_too_short"):
        return "required"
    if kind == "string_too_long":
        return "too_long"
    if name == "birth_date":
        return "invalid_date"
    return {"bsn": "bsn_format", "email": "email_format"}.get(name, "invalid")


def problem_errors(form: NewHousehold, problems: Sequence[Mapping[str, str]]) -> None:
    """The service's problems (by member ref) on the fields of their rows."""
    by_ref = {r.ref: r for r in form.rows if not r.empty}
    for problem in problems:
        row = by_ref.get(problem.get("ref", ""))
        key = f"{row.key}-{problem['field']}" if row else "form"
        form.errors.setdefault(key, problem["code"])
    order(form)
