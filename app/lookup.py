"""One lookup for every view: a raw address to a served mail domain, or a refusal.

Each view maps the refusal to its own protocol's answer (a plain 400/404,
an Autodiscover error, a JSON error, a page saying so).
"""

from __future__ import annotations

from dataclasses import dataclass

from .names import parse_address
from .settings import MailDomain, Settings


class Refusal(ValueError):
    """Why no settings are sent for an address."""


class NotAnAddress(Refusal):
    """The text is not an email address."""


class NotServedHere(Refusal):
    """An address whose domain this server publishes nothing for."""

    def __init__(self, domain_name: str) -> None:
        super().__init__(domain_name)
        self.domain_name = domain_name  # ASCII, for logs and the recent-requests list


@dataclass(frozen=True)
class Mailbox:
    address: str  # the user's local part @ the ASCII domain
    domain: MailDomain


def lookup(settings: Settings, raw: str) -> Mailbox:
    """The served mailbox `raw` names; raises NotAnAddress or NotServedHere."""
    try:
        address, name = parse_address(raw)
    except ValueError:
        raise NotAnAddress(raw) from None
    domain = settings.domain(name)
    if domain is None:
        raise NotServedHere(name)
    return Mailbox(address, domain)
