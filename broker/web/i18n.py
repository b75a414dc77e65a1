"""Translations: Dutch is the source language of the pages; `en` is the second catalogue.

Catalogues are `.po` files compiled in memory at start-up, so no binary `.mo` is committed.
"""

import gettext
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"
CATALOGUE_DIR = Path(__file__).parent / "i18n"
current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@lru_cache
def translations(language: str) -> gettext.NullTranslations:
    po = CATALOGUE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)
