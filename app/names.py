"""Domain names and email addresses as clients send them, normalised once.

Every domain inside the app is lower-case ASCII (IDNA/punycode), so a
Unicode domain and its punycode spelling are the same key everywhere.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import idna
from email_validator import EmailSyntaxError
from email_validator.syntax import validate_email_local_part

# RFC 5321 4.5.3.1.3: a path holds at most 256 octets, so an address 254.
MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64

PREFIXES = ("autoconfig.", "autodiscover.")
# draft-ietf-mailmaint-pacc's host; not in PREFIXES, which are always published.
PACC_PREFIX = "ua-auto-config."
HOST_PREFIXES = (*PREFIXES, PACC_PREFIX)


# A server sees a handful of domains (its mail domains and their autoconfig.
# and autodiscover. hosts), and UTS #46 mapping is the costliest step of a
# request: remember the answers, bounded because clients choose what to send.
@lru_cache(maxsize=1024)
def normalize_domain(raw: str) -> str:
    """Return the ASCII form of a domain; raise ValueError if it is not one."""
    name = raw.strip().rstrip(".").lower()
    if not name or len(name) > 253:
        raise ValueError("not a domain name")
    try:
        # UTS #46 mapping: the same rules browsers and mail clients apply.
        return idna.encode(name, uts46=True, std3_rules=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValueError("not a domain name") from exc


def unicode_domain(ascii_name: str) -> str:
    """The human spelling of a normalised domain (IDNs shown as Unicode)."""
    try:
        return idna.decode(ascii_name)
    except (idna.IDNAError, UnicodeError):
        return ascii_name


def parse_address(raw: str) -> tuple[str, str]:
    """Split an email address into (address, ascii domain).

    The address keeps the user's local part and gets the ASCII domain; a
    malformed address raises ValueError. Existence is never checked: the
    app must answer the same for every mailbox of a domain.

    email-validator checks the local part (RFC 5322/6531); the domain goes
    through the same UTS #46 normalisation as every other domain here.
    The local part is normalised to NFC first (RFC 6532 3.1), as
    email-validator's full validation does: the NFC and NFD spellings of
    jörg@ are one mailbox, one login name and one profile on a device.
    RFC 5321 4.5.3.1.1 allows 64 octets before the @.
    """
    local, at, domain = raw.strip().rpartition("@")
    if not at:
        raise ValueError("not an email address")
    try:
        local = validate_email_local_part(unicodedata.normalize("NFC", local), allow_smtputf8=True)["local_part"]
    except EmailSyntaxError as exc:
        raise ValueError("not an email address") from exc
    if len(local.encode("utf-8")) > MAX_LOCAL_PART_LENGTH:
        raise ValueError("not an email address")
    ascii_domain = normalize_domain(domain)
    address = f"{local}@{ascii_domain}"
    if len(address.encode("utf-8")) > MAX_ADDRESS_LENGTH:
        raise ValueError("not an email address")
    return address, ascii_domain


def domain_of_host(host: str) -> str | None:
    """The mail domain a Host header points at, or None.

    `autoconfig.example.com:443` -> `example.com`; IP literals and junk
    give None.
    """
    split = split_host(host)
    return split[1] if split else None


def split_host(host: str) -> tuple[str, str] | None:
    """A Host header as (discovery prefix or "", domain), or None for junk.

    `ua-auto-config.example.com:443` -> (`ua-auto-config.`, `example.com`).
    """
    if not host or host.startswith("["):
        return None
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    try:
        name = normalize_domain(name)
    except ValueError:
        return None
    for prefix in HOST_PREFIXES:
        if name.startswith(prefix):
            return prefix, name[len(prefix) :]
    return "", name
