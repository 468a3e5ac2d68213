"""Mozilla autoconfig (config-v1.1.xml): Thunderbird, K-9, Evolution, KMail..."""

from __future__ import annotations

from ..i18n import N_, in_every_language
from ..settings import LOGIN_ADDRESS, LOGIN_LOCAL_PART, MailDomain, Settings
from . import render

CONTENT_TYPE = "application/xml; charset=utf-8"

# Strict clients accept only these two spellings; K-9 rejects the whole
# document for anything else, so plaintext is never emitted.
SOCKET_TYPES = {"ssl": "SSL", "starttls": "STARTTLS"}
# The documentation link's text, shown by clients in their own language.
DESCRIPTION = N_("How to set up your mail client for %(domain)s")

# The client fills these in from the address the user typed.
LOGIN_PLACEHOLDERS = {LOGIN_ADDRESS: "%EMAILADDRESS%", LOGIN_LOCAL_PART: "%EMAILLOCALPART%"}


def document(settings: Settings, domain: MailDomain, setup_url: str) -> bytes:
    """The autoconfig document for `domain`.

    It holds no address: usernames are the %EMAILADDRESS% placeholder that
    the client fills in, so one document serves every mailbox of a domain.
    """
    return render(
        "autoconfig.xml",
        settings=settings,
        domain=domain,
        setup_url=setup_url,
        socket_types=SOCKET_TYPES,
        descriptions=in_every_language(DESCRIPTION, domain=domain.unicode_name),
        dav_username=LOGIN_PLACEHOLDERS.get(domain.dav.login) if domain.dav else None,
    )
