"""Page languages: English (the source strings) and French.

Strings are marked with gettext in templates and views; translations live
in app/translations/<lang>/LC_MESSAGES/messages.po and are compiled to .mo
by `make translations` (an image build must do the same). Only pages use gettext,
so the discovery endpoints never pick a language.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel

log = logging.getLogger("autoconfig")

SOURCE_LANGUAGE = "en"
# Each language named in itself, as the switch shows it.
LANGUAGES = {"en": "English", "fr": "Français"}


def language() -> str:
    """?lang= when it names a language we have, else the browser's choice."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, SOURCE_LANGUAGE)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=language)
    folder = Path(app.root_path) / "translations"
    missing = [
        lang
        for lang in LANGUAGES
        if lang != SOURCE_LANGUAGE and not (folder / lang / "LC_MESSAGES" / "messages.mo").is_file()
    ]
    if missing:
        # Pages would silently fall back to English: say so at start.
        log.error("translations not compiled (run `make translations`): %s", ", ".join(missing))
