"""Every discovery document, rendered from the settings model at most once.

The Outlook documents are rendered at start, one per domain, with a slot
for the address: a request fills in its own (escaped) address, a join, not
a template render. The PACC documents are rendered at start too: their
bytes are what the TXT record's digest vouches for. The autoconfig document names the host the client
asked, so it is rendered on first use and kept in a bounded cache.
"""

from __future__ import annotations

from functools import lru_cache

from .formats import ADDRESS_SLOT, AddressTemplate, autoconfig, autodiscover, pacc
from .settings import MailDomain, Settings


class Documents:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._outlook = {
            d.name: AddressTemplate(autodiscover.outlook_response(settings, d, ADDRESS_SLOT)) for d in settings.domains
        }
        self._pacc = {d.name: pacc.document(settings, d) for d in settings.domains}
        self._outlook_without_address = {
            d.name: autodiscover.outlook_response(settings, d, None) for d in settings.domains
        }
        self._mobilesync = AddressTemplate(autodiscover.mobilesync_response(ADDRESS_SLOT))
        self._mobilesync_without_address = autodiscover.mobilesync_response(None)
        # The documentation link names the host the client asked, so the
        # autoconfig document is cached per (domain, link); bounded because
        # the Host header is the client's to choose.
        self.autoconfig = lru_cache(maxsize=256)(self._autoconfig)

    def _autoconfig(self, domain: MailDomain, setup_url: str) -> bytes:
        return autoconfig.document(self.settings, domain, setup_url)

    def outlook(self, domain: MailDomain, address: str) -> bytes:
        return self._outlook[domain.name].fill(address)

    def pacc(self, domain: MailDomain) -> bytes | None:
        """None when the settings cannot be published as PACC."""
        return self._pacc[domain.name]

    def outlook_without_address(self, domain: MailDomain) -> bytes:
        return self._outlook_without_address[domain.name]

    def mobilesync(self, address: str | None) -> bytes:
        return self._mobilesync.fill(address) if address else self._mobilesync_without_address
