"""Apple configuration profile (com.apple.mail.managed): iOS, iPadOS, macOS Mail.

Apple devices use no autoconfig at all; a profile is the only way to hand
them settings. The profile is unsigned here: app.signing wraps it.
"""

from __future__ import annotations

import plistlib
import uuid

from ..settings import Dav, DavUrl, MailDomain, Service, Settings

CONTENT_TYPE = "application/x-apple-aspen-config"

ACCOUNT_TYPES = {"IMAP": "EmailTypeIMAP", "POP3": "EmailTypePOP"}


def profile(settings: Settings, domain: MailDomain, address: str) -> bytes:
    """The profile for `address` (already normalised, in `domain`).

    The first incoming service is IMAP unless the admin turned IMAP off and
    POP3 on; the first outgoing one is the preferred SMTP. There is no
    STARTTLS key: UseSSL false on port 587 makes the device negotiate it.
    No password is ever put in: the device asks for it once, for both.
    A domain with calendars and contacts adds a CalDAV and a CardDAV payload.
    """
    incoming, outgoing = settings.incoming[0], settings.outgoing[0]
    # Identifiers and UUIDs are derived from the address, so installing the
    # profile again replaces the account instead of adding a second one,
    # while two addresses of one domain stay two profiles.
    namespace = uuid.uuid5(uuid.NAMESPACE_DNS, domain.name)
    key = address.lower()
    profile_uuid = str(uuid.uuid5(namespace, f"profile:{key}")).upper()
    reverse_dns = ".".join(reversed(domain.name.split(".")))
    identifier = f"{reverse_dns}.mail.{profile_uuid}"
    account = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.account",
        "PayloadUUID": str(uuid.uuid5(namespace, f"account:{key}")).upper(),
        "PayloadDisplayName": address,
        "EmailAccountDescription": f"{domain.display_name} ({address})",
        "EmailAccountType": ACCOUNT_TYPES[incoming.protocol],
        "EmailAddress": address,
        **_server("Incoming", incoming, address),
        **_server("Outgoing", outgoing, address),
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    top = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": profile_uuid,
        "PayloadDisplayName": f"{domain.display_name}: {address}",
        "PayloadOrganization": domain.display_name,
        "PayloadContent": [account, *_dav_payloads(domain.dav, namespace, identifier, address)],
    }
    return plistlib.dumps(top, fmt=plistlib.FMT_XML, sort_keys=True)


def _server(direction: str, service: Service, address: str) -> dict[str, object]:
    return {
        f"{direction}MailServerHostName": service.host,
        f"{direction}MailServerPortNumber": service.port,
        f"{direction}MailServerUseSSL": service.implicit_tls,
        f"{direction}MailServerUsername": address,
        f"{direction}MailServerAuthentication": "EmailAuthPassword",
    }


def _dav_payloads(dav: Dav | None, namespace: uuid.UUID, identifier: str, address: str) -> list[dict[str, object]]:
    """One payload per DAV protocol, with UUIDs as stable as the mail one's,
    and never a password (Apple allows one only in encrypted profiles)."""
    if dav is None:
        return []
    key = address.lower()
    username = dav.username(address)
    payloads: list[dict[str, object]] = []
    for prefix, kind, endpoint in (("CalDAV", "Calendars", dav.caldav), ("CardDAV", "Contacts", dav.carddav)):
        label = f"{dav.display_name}: {kind}" if dav.display_name else kind
        payloads.append(
            {
                "PayloadType": f"com.apple.{prefix.lower()}.account",
                "PayloadVersion": 1,
                "PayloadIdentifier": f"{identifier}.{prefix.lower()}",
                "PayloadUUID": str(uuid.uuid5(namespace, f"{prefix.lower()}:{key}")).upper(),
                "PayloadDisplayName": f"{kind} ({address})",
                f"{prefix}AccountDescription": f"{label} ({address})",
                **_dav_server(prefix, endpoint),
                **({f"{prefix}Username": username} if username else {}),
            }
        )
    return payloads


def _dav_server(prefix: str, endpoint: DavUrl) -> dict[str, object]:
    return {
        f"{prefix}HostName": endpoint.host,
        f"{prefix}Port": endpoint.port,
        f"{prefix}UseSSL": True,
        f"{prefix}PrincipalURL": endpoint.url,
    }
