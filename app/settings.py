"""The settings model: the single source of truth for every output format.

It is built once at start from the Cloudron environment and the optional
admin config file (TOML), and never changes while the app runs: Cloudron
restarts the app whenever its environment changes.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .names import normalize_domain, unicode_domain

DEFAULT_CONFIG_FILE = "/app/data/config.toml"
CONFIG_FILE_VARIABLE = "AUTOCONFIG_CONFIG_FILE"
# The tls addon's certificate (with its chain) and key, used to sign Apple profiles.
DEFAULT_TLS_CERT_FILE = "/etc/certs/tls_cert.pem"
DEFAULT_TLS_KEY_FILE = "/etc/certs/tls_key.pem"
TLS_CERT_VARIABLE = "AUTOCONFIG_TLS_CERT_FILE"
TLS_KEY_VARIABLE = "AUTOCONFIG_TLS_KEY_FILE"
# The nameserver (ip or ip:port) the admin page's DNS checks ask; default: the system's.
DNS_SERVER_VARIABLE = "AUTOCONFIG_DNS_SERVER"
# Opens /admin where no Cloudron login guards it (another guard must stand in front).
ADMIN_OPEN_VARIABLE = "AUTOCONFIG_ADMIN_OPEN"

IMPLICIT_TLS = "ssl"
STARTTLS = "starttls"
TLS_MODES = (IMPLICIT_TLS, STARTTLS)

# Where a value came from, shown on the admin page.
FROM_ENVIRONMENT = "Cloudron environment"
FROM_DEMO = "demo environment"
FROM_CONFIG = "config file"
FROM_DEFAULT = "default"

# What a developer's laptop gets when no CLOUDRON_* variable is set.
DEMO_ENVIRONMENT = {
    "CLOUDRON_EMAIL_DOMAINS": "example.com,example.org",
    "CLOUDRON_EMAIL_SERVER_HOST": "mail.example.com",
    # A laptop serves plain HTTP, so links the app emits stay http:// there.
    "CLOUDRON_APP_DOMAIN": "localhost",
    "CLOUDRON_APP_ORIGIN": "http://localhost:8000",
    "CLOUDRON_ALIAS_DOMAINS": "autoconfig.example.com,autodiscover.example.com,"
                              "autoconfig.example.org",
}


@dataclass(frozen=True)
class Service:
    """One mail service as clients are told to reach it."""

    name: str        # the config key: imap, pop3, submission, submissions
    protocol: str    # IMAP, POP3 or SMTP
    host: str
    port: int
    tls: str         # IMPLICIT_TLS or STARTTLS; plaintext is never offered
    enabled: bool

    @property
    def incoming(self) -> bool:
        return self.protocol != "SMTP"

    @property
    def implicit_tls(self) -> bool:
        return self.tls == IMPLICIT_TLS


# Cloudron's mail server: IMAP 993 and submission 587 are always on;
# POP3 and SMTP on 465 exist on recent versions and are one switch away.
# The order is the clients' order of preference: IMAP before POP3, and
# implicit TLS before STARTTLS (RFC 8314).
DEFAULT_SERVICES = (
    ("imap", "IMAP", 993, IMPLICIT_TLS, True),
    ("pop3", "POP3", 995, IMPLICIT_TLS, False),
    ("submissions", "SMTP", 465, IMPLICIT_TLS, False),
    ("submission", "SMTP", 587, STARTTLS, True),
)


@dataclass(frozen=True)
class MailDomain:
    name: str            # ASCII (punycode), lower-case
    display_name: str

    @property
    def unicode_name(self) -> str:
        return unicode_domain(self.name)


@dataclass(frozen=True)
class Settings:
    domains: tuple[MailDomain, ...]
    services: tuple[Service, ...]        # all known services, in preference order
    mail_host: str
    app_domain: str
    alias_domains: tuple[str, ...]
    app_origin: str
    documentation_url: str | None = None
    webmail_url: str | None = None
    demo: bool = False
    config_file: str = DEFAULT_CONFIG_FILE
    config_error: str | None = None
    tls_cert_file: str = DEFAULT_TLS_CERT_FILE
    tls_key_file: str = DEFAULT_TLS_KEY_FILE
    setup_page_domains: tuple[str, ...] = ()   # the admin's subset; () = all
    dns_server: str | None = None
    admin_open_because: str | None = None      # why /admin may open; None = closed
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    _by_name: Mapping[str, MailDomain] = field(default_factory=dict, init=False,
                                               repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {d.name: d for d in self.domains})

    def domain(self, name: str | None) -> MailDomain | None:
        """The configured mail domain called `name` (ASCII), if any."""
        return self._by_name.get(name) if name else None

    @property
    def incoming(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.enabled and s.incoming)

    @property
    def outgoing(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.enabled and not s.incoming)

    @property
    def locations(self) -> tuple[str, ...]:
        """Every hostname this app answers on in Cloudron."""
        return (self.app_domain, *self.alias_domains)

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    @property
    def setup_domains(self) -> tuple[MailDomain, ...]:
        """The domains the setup page lists on a host that is not a mail
        domain: the admin's choice among those served, else all of them."""
        if not self.setup_page_domains:
            return self.domains
        return tuple(d for n in self.setup_page_domains if (d := self.domain(n)))


class ConfigError(ValueError):
    """A config file problem, said in one line: which key and why."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}" if key else reason)


# --- loading -------------------------------------------------------------


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the model from an environment mapping (os.environ by default)."""
    environ = os.environ if environ is None else environ
    demo = not any(k == "CLOUDRON" or k.startswith("CLOUDRON_") for k in environ)
    env = DEMO_ENVIRONMENT if demo else environ
    env_source = FROM_DEMO if demo else FROM_ENVIRONMENT
    config_file = environ.get(CONFIG_FILE_VARIABLE) or DEFAULT_CONFIG_FILE

    config: dict[str, Any] = {}
    config_error = None
    try:
        config = read_config(config_file)
    except ConfigError as exc:
        # A broken file is ignored whole (never half-applied): the app keeps
        # serving what the environment says, and the error is logged and shown.
        config_error = f"{config_file}: {exc}"

    app_domain = _env_domains(env.get("CLOUDRON_APP_DOMAIN", ""))
    mail_host = (_env_domains(env.get("CLOUDRON_EMAIL_SERVER_HOST", ""))
                 or app_domain or ("localhost",))[0]
    sources = {"domains": env_source, "mail_host": env_source}

    names = [n for n in _env_domains(env.get("CLOUDRON_EMAIL_DOMAINS", ""))
             if n not in config.get("exclude_domains", ())]
    for name in config.get("extra_domains", ()):
        if name not in names:
            names.append(name)
    if "extra_domains" in config or "exclude_domains" in config:
        sources["domains"] = f"{env_source} and {FROM_CONFIG}"

    display_names = config.get("display_names", {})
    domains = tuple(MailDomain(n, display_names.get(n) or unicode_domain(n))
                    for n in names)

    services = []
    for name, protocol, port, tls, enabled in DEFAULT_SERVICES:
        override = config.get("services", {}).get(name, {})
        values = {"host": mail_host, "port": port, "tls": tls, "enabled": enabled}
        for key in values:
            sources[f"services.{name}.{key}"] = (
                FROM_CONFIG if key in override
                else env_source if key == "host" else FROM_DEFAULT)
        values.update(override)
        services.append(Service(name=name, protocol=protocol, **values))

    for key in ("documentation_url", "webmail_url", "setup_page_domains"):
        sources[key] = FROM_CONFIG if key in config else FROM_DEFAULT

    return Settings(
        domains=domains,
        services=tuple(services),
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
        tls_cert_file=environ.get(TLS_CERT_VARIABLE) or DEFAULT_TLS_CERT_FILE,
        tls_key_file=environ.get(TLS_KEY_VARIABLE) or DEFAULT_TLS_KEY_FILE,
        setup_page_domains=config.get("setup_page_domains", ()),
        dns_server=environ.get(DNS_SERVER_VARIABLE) or None,
        admin_open_because=(
            "Cloudron's login (proxyAuth) guards this page" if environ.get("CLOUDRON") == "1"
            else f"{ADMIN_OPEN_VARIABLE}=1 is set" if environ.get(ADMIN_OPEN_VARIABLE) == "1" else None),
        sources=sources,
    )


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


# --- the config file -----------------------------------------------------


def read_config(path: str) -> dict[str, Any]:
    """Read and check the admin's TOML file; a missing file is an empty one."""
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"not valid TOML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("", f"cannot be read ({exc})") from exc
    config = _check_table("", raw, CONFIG_SCHEMA)
    _check_services_left(config.get("services", {}))
    return config


def _check_services_left(services: dict[str, dict]) -> None:
    """A client needs somewhere to read mail and somewhere to send it."""
    enabled = {name for name, _, _, _, default in DEFAULT_SERVICES
               if services.get(name, {}).get("enabled", default)}
    for direction, names in (("incoming", ("imap", "pop3")), ("outgoing", ("submissions", "submission"))):
        if not enabled & set(names):
            raise ConfigError("services", f"turns off every {direction} service ({', '.join(names)}); "
                                          f"leave at least one enabled")


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, f"must be a non-empty string, got {value!r}")
    return value.strip()


def _url(key: str, value: Any) -> str:
    value = _string(key, value)
    if not value.startswith(("https://", "http://")):
        raise ConfigError(key, f"must be an http(s) URL, got {value!r}")
    return value


def _domain(key: str, value: Any) -> str:
    try:
        return normalize_domain(_string(key, value))
    except ValueError:
        raise ConfigError(key, f"is not a domain name: {value!r}") from None


def _domain_list(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(key, f"must be a list of domain names, got {value!r}")
    return tuple(_domain(f"{key}[{i}]", v) for i, v in enumerate(value))


def _display_names(key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(key, "must be a table of domain = \"name\"")
    return {_domain(f"{key}.{k}", k): _string(f"{key}.{k}", v) for k, v in value.items()}


def _port(key: str, value: Any) -> int:
    # bool is an int subclass in Python; `port = true` is still a mistake.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ConfigError(key, f"must be a port number from 1 to 65535, got {value!r}")
    return value


def _tls(key: str, value: Any) -> str:
    if value not in TLS_MODES:
        raise ConfigError(key, f"must be \"ssl\" (implicit TLS) or \"starttls\", got {value!r}")
    return value


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(key, f"must be true or false, got {value!r}")
    return value


def _check_table(key: str, value: Any, schema: Mapping[str, Callable]) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(key, "must be a table")
    checked = {}
    for name, item in value.items():
        path = f"{key}.{name}" if key else name
        if name not in schema:
            raise ConfigError(path, f"unknown key (known: {', '.join(schema)})")
        checked[name] = schema[name](path, item)
    return checked


def _table(schema: Mapping[str, Callable]) -> Callable[[str, Any], dict]:
    return lambda key, value: _check_table(key, value, schema)


SERVICE_SCHEMA = {"enabled": _boolean, "host": _domain, "port": _port, "tls": _tls}

CONFIG_SCHEMA: dict[str, Callable[[str, Any], Any]] = {
    "documentation_url": _url,
    "webmail_url": _url,
    "extra_domains": _domain_list,
    "exclude_domains": _domain_list,
    "display_names": _display_names,
    "setup_page_domains": _domain_list,
    "services": _table({name: _table(SERVICE_SCHEMA) for name, *_ in DEFAULT_SERVICES}),
}
