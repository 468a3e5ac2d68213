"""Languages are set up at start; catalogues are checked in test_catalogues.py,
the choice of language in test_negotiation.py."""

from app.i18n import TRANSLATED


def test_uncompiled_translations_are_said_at_start(tmp_path, caplog):
    from flask import Flask

    from app import i18n

    i18n.init_app(Flask("bare", root_path=str(tmp_path)))
    assert "translations not compiled (run `make translations`): " + ", ".join(TRANSLATED) in caplog.text
