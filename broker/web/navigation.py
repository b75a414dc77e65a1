"""The navigation: each item names the roles that may use it; the menu shows only those."""

from dataclasses import dataclass

from broker.identity.principal import Principal
from broker.web.i18n import gettext_ as _


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


ROLE_LABELS = {
    "regisseur": N_("Regisseur"),
    "partner": N_("Partner"),
    "aandachtsfunctionaris": N_("Aandachtsfunctionaris"),
    "privacy_officer": N_("Functionaris gegevensbescherming"),
    "teamleider": N_("Teamleider"),
    "admin": N_("Beheerder"),
}


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[str] | None = None  # None: every logged-in professional


NAVIGATION: list[NavItem] = [
    NavItem(N_("Start"), "/"),
    NavItem(N_("Huishoudens"), "/huishoudens", frozenset({"regisseur"})),
    NavItem(N_("Gezinnen"), "/gezinnen", frozenset({"partner", "aandachtsfunctionaris"})),
    NavItem(N_("Bijeenkomsten"), "/bijeenkomsten"),
    NavItem(N_("Informatieverzoeken"), "/informatieverzoeken",
            frozenset({"regisseur", "partner", "aandachtsfunctionaris"})),
    NavItem(N_("Doorbrekingen"), "/meldcode/overzicht",
            frozenset({"aandachtsfunctionaris", "privacy_officer"})),
    NavItem(N_("Kwaliteit"), "/kwaliteit", frozenset({"teamleider"})),
    NavItem(N_("Verantwoording"), "/verantwoording", frozenset({"privacy_officer"})),
    NavItem(N_("Beheer"), "/beheer", frozenset({"admin"})),
    NavItem(N_("API-documentatie"), "/docs"),
]


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    current: bool


def navigation_for(principal: Principal | None, path: str) -> list[NavLink]:
    if principal is None:
        return []
    return [NavLink(_(item.label), item.href,
                    path == item.href or (item.href != "/" and path.startswith(item.href + "/")))
            for item in NAVIGATION
            if item.roles is None or principal.has_role(*item.roles)]
