"""The setup page: `/` on every host, for people setting up a mail client.

It works without JavaScript: the address form is a plain GET, and the
language switch is a link. What the page shows is decided by
app.setup_page; this view gathers the request's inputs and renders it.
"""

from __future__ import annotations

import segno
from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from markupsafe import Markup

from .. import devices, setup_page, signing
from ..formats import pacc
from ..i18n import LANGUAGES, language
from ..runtime import runtime
from ..settings import IMPLICIT_TLS, LOGIN_ADDRESS, LOGIN_LOCAL_PART, LOGIN_NONE, STARTTLS, MailDomain
from . import host_domain, public_base_url

bp = Blueprint("setup", __name__)

# TLS modes in the words clients use, then in plain words.
TLS_NAMES = {IMPLICIT_TLS: "SSL/TLS", STARTTLS: "STARTTLS"}
TLS_WORDS = {
    IMPLICIT_TLS: lazy_gettext("encrypted from the first byte"),
    STARTTLS: lazy_gettext("switches to encryption right after connecting"),
}
# The DAV login before the address is known.
DAV_LOGIN_WORDS = {
    LOGIN_ADDRESS: lazy_gettext("your full email address"),
    LOGIN_LOCAL_PART: lazy_gettext("the part of your email address before @"),
    LOGIN_NONE: lazy_gettext("your username on this server (your administrator can tell you)"),
}
UNSIGNED_BECAUSE = {
    signing.MISSING: lazy_gettext("this server has no certificate to sign it with"),
    signing.UNREADABLE: lazy_gettext("this server cannot read its certificate"),
    signing.INVALID: lazy_gettext("this server's certificate cannot sign profiles"),
    signing.MISMATCH: lazy_gettext("this server's certificate and key do not match"),
    signing.UNTRUSTED: lazy_gettext("your device would not trust this server's certificate"),
}


@bp.get("/")
def page() -> Response:
    asked = setup_page.Asked(
        emailaddress=request.args.get("emailaddress", ""),
        domain=request.args.get("domain", ""),
        lang=request.args.get("lang", ""),
        host_domain=host_domain(),
        language=language(),
        languages=tuple(LANGUAGES),
        platform=devices.platform(request.headers.get("User-Agent", "")),
    )
    content = setup_page.build(runtime().settings, asked)
    html = render_template(
        "setup.html",
        page=content,
        domain=content.domain,
        lang=asked.language,
        language_names=LANGUAGES,
        tls_names=TLS_NAMES,
        tls_words=TLS_WORDS,
        dav_login_words=DAV_LOGIN_WORDS,
        qr_svg=_qr_svg(content.address) if content.address else None,
        signer=runtime().signer,
        unsigned_because=UNSIGNED_BECAUSE.get(runtime().signer.problem or ""),
        pacc_url=_pacc_url(content.domain),
    )
    # The page differs by language and by device: a cache must keep each.
    return Response(
        html, content.status, content_type="text/html; charset=utf-8", headers={"Vary": "Accept-Language, User-Agent"}
    )


def _pacc_url(domain: MailDomain | None) -> str | None:
    """Where PACC clients fetch `domain`'s document, if it is published."""
    if domain is None or runtime().documents.pacc(domain) is None:
        return None
    return f"https://{pacc.HOST_PREFIX}{domain.name}{pacc.PATH}"


def _qr_svg(address: str) -> Markup:
    """The absolute link to the Apple profile as a QR code, inline SVG."""
    qr = segno.make(public_base_url() + url_for("mobileconfig.profile", emailaddress=address), error="m")
    # segno escapes the title; the rest is its own markup.
    return Markup(qr.svg_inline(scale=5, light="#fff", svgclass="qr", title=_("QR code of the profile link")))
