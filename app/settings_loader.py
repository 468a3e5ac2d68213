"""Build the settings model once, from the environment and the config file.

Small steps, each a plain function: read the config file (ignored whole when
broken), then the domains, the services, and where every value came from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .config_file import ConfigError, read_config
from .names import normalize_domain, unicode_domain
from .settings import (
    DEFAULT_SERVICES,
    LOGIN_LOCAL_PART,
    Dav,
    DavUrl,
    MailDomain,
    Provenance,
    Service,
    Settings,
    Source,
)

DEFAULT_CONFIG_FILE = "/app/data/config.toml"
CONFIG_FILE_VARIABLE = "AUTOCONFIG_CONFIG_FILE"
# The tls addon's certificate (with its chain) and key, used to sign Apple profiles.
DEFAULT_TLS_CERT_FILE = "/etc/certs/tls_cert.pem"
DEFAULT_TLS_KEY_FILE = "/etc/certs/tls_key.pem"
TLS_CERT_VARIABLE = "AUTOCONFIG_TLS_CERT_FILE"
TLS_KEY_VARIABLE = "AUTOCONFIG_TLS_KEY_FILE"
# The folder for state kept across restarts; default: the config file's folder.
DATA_DIR_VARIABLE = "AUTOCONFIG_DATA_DIR"
# The public roots devices trust (Debian's bundle); OpenSSL's variable
# overrides it, as it does for every TLS client on the machine.
DEFAULT_TRUST_STORE_FILE = "/etc/ssl/certs/ca-certificates.crt"
TRUST_STORE_VARIABLE = "SSL_CERT_FILE"
# The nameserver (ip or ip:port) the admin page's DNS checks ask; default: the system's.
DNS_SERVER_VARIABLE = "AUTOCONFIG_DNS_SERVER"
# Opens /admin where no Cloudron login guards it (another guard must stand in front).
ADMIN_OPEN_VARIABLE = "AUTOCONFIG_ADMIN_OPEN"

# What a developer's laptop gets when no CLOUDRON_* variable is set.
DEMO_ENVIRONMENT = {
    "CLOUDRON_EMAIL_DOMAINS": "example.com,example.org",
    "CLOUDRON_EMAIL_SERVER_HOST": "mail.example.com",
    # A laptop serves plain HTTP, so links the app emits stay http:// there.
    "CLOUDRON_APP_DOMAIN": "localhost",
    "CLOUDRON_APP_ORIGIN": "http://localhost:8000",
    "CLOUDRON_ALIAS_DOMAINS": "autoconfig.example.com,autodiscover.example.com,autoconfig.example.org",
}

# The settings the admin page lists, besides the services.
LISTED = ("documentation_url", "webmail_url", "setup_page_domains")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the model from an environment mapping (os.environ by default)."""
    environ = os.environ if environ is None else environ
    demo = not any(k == "CLOUDRON" or k.startswith("CLOUDRON_") for k in environ)
    env = DEMO_ENVIRONMENT if demo else environ
    config_file = environ.get(CONFIG_FILE_VARIABLE) or DEFAULT_CONFIG_FILE
    app_domain = _env_domains(env.get("CLOUDRON_APP_DOMAIN", ""))
    named_host = _env_domains(env.get("CLOUDRON_EMAIL_SERVER_HOST", ""))
    mail_host = (named_host or app_domain or ["localhost"])[0]

    config: dict[str, Any] = {}
    config_error = None
    try:
        config = read_config(config_file)
        services = _services(mail_host, config)
        domains = _domains(env, config)
    except ConfigError as exc:
        # A broken file is ignored whole (never half-applied): the app keeps
        # serving what the environment says, and the error is logged and shown.
        config, config_error = {}, f"{config_file}: {exc}"
        services = _services(mail_host, config)
        domains = _domains(env, config)

    settings = Settings(
        domains=domains,
        services=services,
        mail_host=mail_host,
        app_domain=app_domain[0] if app_domain else mail_host,
        alias_domains=tuple(_env_domains(env.get("CLOUDRON_ALIAS_DOMAINS", ""))),
        app_origin=env.get("CLOUDRON_APP_ORIGIN", "").rstrip("/")
        or f"https://{app_domain[0] if app_domain else mail_host}",
        documentation_url=config.get("documentation_url"),
        webmail_url=config.get("webmail_url"),
        demo=demo,
        config_file=config_file,
        config_error=config_error,
        data_dir=environ.get(DATA_DIR_VARIABLE) or os.path.dirname(config_file) or ".",
        environment_problems=_environment_problems(named_host, mail_host),
        tls_cert_file=environ.get(TLS_CERT_VARIABLE) or DEFAULT_TLS_CERT_FILE,
        tls_key_file=environ.get(TLS_KEY_VARIABLE) or DEFAULT_TLS_KEY_FILE,
        setup_page_domains=_setup_page_domains(domains, config.get("setup_page_domains", ())),
        dns_server=environ.get(DNS_SERVER_VARIABLE) or None,
        admin_open_because=_admin_open_because(environ),
        admin_behind_proxy=environ.get("CLOUDRON") == "1",
        proxy_ip=environ.get("CLOUDRON_PROXY_IP", "").strip() or None,
        trust_store_file=environ.get(TRUST_STORE_VARIABLE) or DEFAULT_TRUST_STORE_FILE,
    )
    return replace(settings, provenance=_provenance(settings, config, Source.DEMO if demo else Source.ENVIRONMENT))


def _domains(env: Mapping[str, str], config: Mapping[str, Any]) -> tuple[MailDomain, ...]:
    """Cloudron's mail domains, less the excluded, plus the extra ones."""
    names = [
        n for n in _env_domains(env.get("CLOUDRON_EMAIL_DOMAINS", "")) if n not in config.get("exclude_domains", ())
    ]
    names += [n for n in dict.fromkeys(config.get("extra_domains", ())) if n not in names]
    display_names = config.get("display_names", {})
    dav = config.get("dav", {})
    return tuple(MailDomain(n, display_names.get(n) or unicode_domain(n), _dav(n, dav)) for n in names)


def _dav(name: str, config: Mapping[str, Any]) -> Dav | None:
    """The [dav] table with the domain's own keys over it; None when neither
    says where calendars are. Both URLs are needed: a client told of only one
    would leave the user wondering where the other went."""
    override = config.get("domains", {}).get(name, {})
    values = {k: v for k, v in config.items() if k != "domains"} | override
    if not values:
        return None
    missing = [k for k in ("caldav_url", "carddav_url") if k not in values]
    if missing:
        key = f"dav.domains.{name}" if override else "dav"
        raise ConfigError(key, f"needs {' and '.join(missing)} too (both URLs, or no DAV section)")
    return Dav(
        DavUrl(values["caldav_url"]),
        DavUrl(values["carddav_url"]),
        values.get("login", LOGIN_LOCAL_PART),
        values.get("display_name"),
    )


def _services(mail_host: str, config: Mapping[str, Any]) -> tuple[Service, ...]:
    """Cloudron's defaults, overridden key by key; a client needs somewhere
    to read mail and somewhere to send it, so turning off either is an error."""
    services = []
    for name, protocol, port, tls, enabled in DEFAULT_SERVICES:
        override = config.get("services", {}).get(name, {})
        values = {"host": mail_host, "port": port, "tls": tls, "enabled": enabled} | override
        services.append(Service(name, protocol, values["host"], values["port"], values["tls"], values["enabled"]))
    for incoming, direction, names in (
        (True, "incoming", "imap, pop3"),
        (False, "outgoing", "submissions, submission"),
    ):
        if not any(s.enabled and s.incoming == incoming for s in services):
            raise ConfigError("services", f"turns off every {direction} service ({names}); leave at least one enabled")
    return tuple(services)


def _environment_problems(named_host: list[str], mail_host: str) -> tuple[str, ...]:
    """What the email addon should have given and did not (no domains is shown apart)."""
    problems = []
    if not named_host:
        problems.append(
            f"CLOUDRON_EMAIL_SERVER_HOST is not set (is the email addon enabled?): clients are told {mail_host}, "
            "this app's own name, as the mail server; set host under [services.*] in config.toml if that is wrong"
        )
    return tuple(problems)


def _setup_page_domains(domains: tuple[MailDomain, ...], chosen: tuple[str, ...]) -> tuple[MailDomain, ...]:
    """The admin's choice among the domains served, in the admin's order; all when none."""
    by_name = {d.name: d for d in domains}
    return tuple(by_name[n] for n in chosen if n in by_name) if chosen else domains


def _admin_open_because(environ: Mapping[str, str]) -> str | None:
    if environ.get("CLOUDRON") == "1":
        return "Cloudron's login (proxyAuth) guards this page"
    if environ.get(ADMIN_OPEN_VARIABLE) == "1":
        return f"{ADMIN_OPEN_VARIABLE}=1 is set"
    return None


def _provenance(settings: Settings, config: Mapping[str, Any], env: Source) -> tuple[Provenance, ...]:
    """Every value the model took from somewhere, and where from."""
    in_config = config.keys()
    domain_sources = (env, Source.CONFIG) if {"extra_domains", "exclude_domains"} & in_config else (env,)
    rows = [
        Provenance("domains", ", ".join(d.name for d in settings.domains) or "(none)", domain_sources),
        Provenance("mail_host", settings.mail_host, (env,)),
    ]
    for service in settings.services:
        override = config.get("services", {}).get(service.name, {})
        for key in ("host", "port", "tls", "enabled"):
            source = Source.CONFIG if key in override else env if key == "host" else Source.DEFAULT
            rows.append(Provenance(f"services.{service.name}.{key}", _text(getattr(service, key)), (source,)))
    for key in LISTED:
        value = getattr(settings, key)
        if key == "setup_page_domains":
            value = ", ".join(d.name for d in value) if key in in_config else None
        rows.append(Provenance(key, _text(value), (Source.CONFIG if key in in_config else Source.DEFAULT,)))
    for domain in settings.domains:
        if domain.dav:
            dav = domain.dav
            value = f"CalDAV {dav.caldav.url} · CardDAV {dav.carddav.url} · login {dav.login}"
            rows.append(Provenance(f"dav ({domain.name})", value, (Source.CONFIG,)))
    rows.append(Provenance("locations", ", ".join(settings.locations), (env,)))
    return tuple(rows)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return "(none)" if value is None else str(value)


def _env_domains(value: str) -> list[str]:
    """A comma-separated domain list from Cloudron: normalised, de-duplicated.

    Entries that are not domain names are dropped rather than fatal: the
    environment is Cloudron's, and the rest of it must still be served.
    """
    names: list[str] = []
    for part in value.split(","):
        try:
            name = normalize_domain(part)
        except ValueError:
            continue
        if name not in names:
            names.append(name)
    return names
