"""What the app is handed in tests and in the benchmark: a Cloudron
environment, and the Autodiscover request a mail client sends."""
from __future__ import annotations

# A Cloudron server with three mail domains, one of them an IDN given in
# Unicode, and the app's alias locations for two of them.
CLOUDRON_ENV = {
    "CLOUDRON": "1",
    "CLOUDRON_APP_DOMAIN": "mailconfig.example.com",
    "CLOUDRON_APP_ORIGIN": "https://mailconfig.example.com",
    "CLOUDRON_ALIAS_DOMAINS": "autoconfig.example.com,autodiscover.example.com,"
                              "autoconfig.example.org,autodiscover.example.org",
    "CLOUDRON_EMAIL_DOMAINS": "example.com, Example.ORG,bücher.example",
    "CLOUDRON_EMAIL_DOMAIN": "example.com",
    "CLOUDRON_EMAIL_SERVER_HOST": "my.example.com",
    "CLOUDRON_EMAIL_IMAP_SERVER": "mail",
    "CLOUDRON_EMAIL_IMAP_PORT": "9993",
    "CLOUDRON_EMAIL_SMTP_SERVER": "mail",
    "CLOUDRON_EMAIL_SMTP_PORT": "2525",
}

# The same server as a real container sees it: the admin gave this app the
# autoconfig. and autodiscover. alias locations of every mail domain, and
# Cloudron adds the origins and the proxy's address.
RUNTIME_ENV = {
    **CLOUDRON_ENV,
    "CLOUDRON_ALIAS_DOMAINS": ",".join(f"{service}.{domain}" for domain in
                                       ("example.com", "example.org", "xn--bcher-kva.example")
                                       for service in ("autoconfig", "autodiscover")),
    "CLOUDRON_API_ORIGIN": "https://my.example.com",
    "CLOUDRON_WEBADMIN_ORIGIN": "https://my.example.com",
    "CLOUDRON_PROXY_IP": "172.18.0.1",
}

# The response schema Outlook asks for (the app's autodiscover.OUTLOOK_SCHEMA;
# spelled out here because this package does not import the app).
OUTLOOK_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"


def pox_request(address: str = "jane@example.com", schema: str = OUTLOOK_SCHEMA) -> bytes:
    """The body of an Autodiscover POX request, as Outlook POSTs it."""
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">'
            f"<Request><EMailAddress>{address}</EMailAddress>"
            f"<AcceptableResponseSchema>{schema}</AcceptableResponseSchema></Request></Autodiscover>").encode()
