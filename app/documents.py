"""Every discovery document, rendered once from the settings model.

Requests only look a document up and fill in their own (escaped) address,
so serving one costs a dictionary lookup and a join, not a template render.
"""
from __future__ import annotations

from functools import lru_cache

from .formats import ADDRESS_SLOT, AddressTemplate, autoconfig, autodiscover
from .settings import MailDomain, Settings


class Documents:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._outlook = {
            d.name: AddressTemplate(autodiscover.outlook_response(settings, d, ADDRESS_SLOT))
            for d in settings.domains
        }
        self._mobilesync = AddressTemplate(autodiscover.mobilesync_response(ADDRESS_SLOT))
        # The documentation link names the host the client asked, so the
        # autoconfig document is cached per (domain, link); bounded because
        # the Host header is the client's to choose.
        self.autoconfig = lru_cache(maxsize=256)(self._autoconfig)

    def _autoconfig(self, domain: MailDomain, setup_url: str) -> bytes:
        return autoconfig.document(self.settings, domain, setup_url)

    def outlook(self, domain: MailDomain, address: str) -> bytes:
        return self._outlook[domain.name].fill(address)

    def mobilesync(self, address: str) -> bytes:
        return self._mobilesync.fill(address)
