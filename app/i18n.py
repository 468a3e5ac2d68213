"""Page languages: English (the source strings) and seven translations.

Strings are marked with gettext in templates and views; translations live
in app/translations/<lang>/LC_MESSAGES/messages.po and are compiled to .mo
by `make translations` (an image build must do the same). Only pages use gettext,
so the discovery endpoints never pick a language.

Adding a language: one line in LANGUAGES, then `make messages` creates its
catalogue; translate it. tests/unit/test_catalogues.py says what is missing.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from babel import negotiate_locale
from babel.support import NullTranslations, Translations
from flask import Flask, request
from flask_babel import Babel
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

log = logging.getLogger("autoconfig")
FOLDER = Path(__file__).parent / "translations"

SOURCE_LANGUAGE = "en"
# The one list of page languages: each named in itself, as the switch shows
# it, in this order.
LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "it": "Italiano",
    "nl": "Nederlands",
    "pl": "Polski",
    "pt": "Português",
}
TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]


def negotiate(accept_language: str) -> str:
    """The language to answer an Accept-Language header with.

    Babel walks the browser's choices in order of quality and tries each
    region's primary language before moving on, so fr-FR,en;q=0.3 gets
    French (werkzeug's best_match would prefer the exact "en").
    """
    accepted = parse_accept_header(accept_language, LanguageAccept)
    # Tags are case-insensitive, some clients write en_US; q=0 means "not
    # this one"; "*" names no language in particular.
    preferred = [tag.lower().replace("_", "-") for tag, quality in accepted if quality > 0 and tag != "*"]
    # No aliases: Babel's own map a language to a full locale (de to de_DE), never to one of ours.
    return negotiate_locale(preferred, list(LANGUAGES), sep="-", aliases={}) or SOURCE_LANGUAGE


def language() -> str:
    """?lang= when it names a language we have, else the browser's choice."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return negotiate(request.headers.get("Accept-Language", ""))


def N_(message: str) -> str:
    """Marks a string for `make messages` that is translated later, outside
    a request (babel extracts N_ by default)."""
    return message


def in_every_language(message: str, **values: str) -> dict[str, str]:
    """`message` in each page language, for documents that carry all of
    them at once (autoconfig's <descr lang=...>)."""
    return {lang: _catalogue(lang).gettext(message) % values for lang in LANGUAGES}


@cache
def _catalogue(lang: str) -> NullTranslations:
    # Without a compiled .mo this is English; init_app says so at start.
    return Translations.load(str(FOLDER), [lang])


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=language)
    folder = Path(app.root_path) / "translations"
    missing = [lang for lang in TRANSLATED if not (folder / lang / "LC_MESSAGES" / "messages.mo").is_file()]
    if missing:
        # Pages would silently fall back to English: say so at start.
        log.error("translations not compiled (run `make translations`): %s", ", ".join(missing))
