"""The setup page: `/` on every host, for people setting up a mail client.

It works without JavaScript: the address form is a plain GET, and the
language switch is a link. The domain comes from the address, else from
?domain= (autoconfig documentation links use it when the host is another
domain's), else from the host; with none, the page lists the domains served.
"""
from __future__ import annotations

import segno
from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext
from markupsafe import Markup

from .. import signing
from ..i18n import LANGUAGES, language
from ..names import normalize_domain, parse_address, unicode_domain
from ..settings import IMPLICIT_TLS, STARTTLS, MailDomain, Service
from . import host_domain, public_base_url, settings
from .mobileconfig import signer

bp = Blueprint("setup", __name__)

# TLS modes in the words clients use, then in plain words.
TLS_NAMES = {IMPLICIT_TLS: "SSL/TLS", STARTTLS: "STARTTLS"}
TLS_WORDS = {
    IMPLICIT_TLS: lazy_gettext("encrypted from the first byte"),
    STARTTLS: lazy_gettext("switches to encryption right after connecting"),
}
UNSIGNED_BECAUSE = {
    signing.MISSING: lazy_gettext("this server has no certificate to sign it with"),
    signing.UNREADABLE: lazy_gettext("this server cannot read its certificate"),
    signing.INVALID: lazy_gettext("this server's certificate cannot sign profiles"),
    signing.MISMATCH: lazy_gettext("this server's certificate and key do not match"),
}


@bp.get("/")
def page():
    status, error, address = 200, None, None
    domain = _asked_domain() or host_domain()
    typed = request.args.get("emailaddress", "").strip()
    if typed:
        try:
            address, name = parse_address(typed)
        except ValueError:
            status, error = 400, _("This is not an email address. Check it and try again.")
        else:
            if settings().domain(name):
                domain = settings().domain(name)
            else:
                status, error, address = 404, _("This server publishes no mail settings for %(domain)s.",
                                                domain=unicode_domain(name)), None
    html = render_template(
        "setup.html",
        lang=language(),
        switch=[(code, label, _link(code, domain, address)) for code, label in LANGUAGES.items()],
        domain=domain,
        domains=[(d, _link(language(), d, None)) for d in settings().setup_domains],
        typed=typed,
        address=address,
        error=error,
        hidden=_form_fields(),
        services=_services(),
        tls_names=TLS_NAMES,
        tls_words=TLS_WORDS,
        personal=_personal(address) if address else None,
    )
    return Response(html, status, content_type="text/html; charset=utf-8")


def _asked_domain() -> MailDomain | None:
    try:
        return settings().domain(normalize_domain(request.args.get("domain", "")))
    except ValueError:
        return None


def _link(lang: str, domain: MailDomain | None, address: str | None) -> str:
    """This page in `lang`, for the same domain and address."""
    args = {"lang": lang}
    if address:
        args["emailaddress"] = address
    elif domain and domain != host_domain():
        args["domain"] = domain.name
    return url_for("setup.page", **args)


def _form_fields() -> dict[str, str]:
    """What the address form carries along besides the address."""
    fields = {}
    if request.args.get("lang") in LANGUAGES:
        fields["lang"] = request.args["lang"]
    if _asked_domain():
        fields["domain"] = _asked_domain().name
    return fields


def _services() -> list[tuple[Service, bool]]:
    """Every service offered, each with whether it is the first (preferred)
    of its direction; the others are alternatives."""
    rows = []
    for group in (settings().incoming, settings().outgoing):
        rows += [(service, index == 0) for index, service in enumerate(group)]
    return rows


def _personal(address: str) -> dict:
    """What only exists once the address is known: the Apple profile (a
    link, and a QR code of its absolute URL) and the raw documents."""
    profile = url_for("mobileconfig.profile", emailaddress=address)
    qr = segno.make(public_base_url() + profile, error="m")
    return {
        "profile_url": profile,
        # segno escapes the title; the rest is its own markup.
        "qr_svg": Markup(qr.svg_inline(scale=5, light="#fff", svgclass="qr",
                                       title=_("QR code of the profile link"))),
        "signer": signer(),
        "unsigned_because": UNSIGNED_BECAUSE.get(signer().problem),
        "autoconfig_url": url_for("discovery.autoconfig_xml", emailaddress=address),
        "autodiscover_url": url_for("discovery.autodiscover_json", Email=address,
                                    Protocol="AutodiscoverV1"),
    }
