"""The admin's config file (TOML): reading it, and the schema it must follow.

Every value is checked here; anything wrong raises ConfigError, which names
the key and says why in one line. The caller ignores a broken file whole.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .names import normalize_domain
from .settings import LOGIN_MODES, SERVICE_NAMES, TLS_MODES


class ConfigError(ValueError):
    """A config file problem, said in one line: which key and why."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}" if key else reason)


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
    except Exception as exc:
        # Whatever else goes wrong, the file is ignored whole, never fatal:
        # tomllib recurses once per level of nesting, so ~1 KB of [[[[...
        # raises RecursionError.
        raise ConfigError("", f"cannot be read ({type(exc).__name__}: {exc})") from exc
    return _check_table("", raw, CONFIG_SCHEMA)


# C0 and C1 controls and DEL: none belongs in a name or link, and in XML 1.0
# most of them are not even allowed as a character reference.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, f"must be a non-empty string, got {value!r}")
    if _CONTROL.search(value):
        raise ConfigError(key, f"must not contain control characters, got {value!r}")
    return str(value).strip()


def _url(key: str, value: Any) -> str:
    url = _string(key, value)
    if not url.startswith(("https://", "http://")):
        raise ConfigError(key, f"must be an http(s) URL, got {url!r}")
    return url


def _dav_url(key: str, value: Any) -> str:
    """Devices send the password to this URL: https only, and the path the
    DAV app serves from (even "/"), since clients do not guess it."""
    url = _string(key, value)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:
        raise ConfigError(key, f"is not a URL: {url!r}") from None
    if parts.scheme != "https":
        raise ConfigError(key, f"must be an https:// URL (devices send the password to it), got {url!r}")
    if not parts.hostname or not parts.path or parts.username or parts.password:
        raise ConfigError(key, f'must be https://host/path, with a path (at least "/"), got {url!r}')
    # The host as DNS and the zone snippet spell it: ASCII, lower-case.
    host = _domain(key, parts.hostname)
    return parts._replace(netloc=host if parts.port is None else f"{host}:{parts.port}").geturl()


def _login(key: str, value: Any) -> str:
    if value not in LOGIN_MODES:
        raise ConfigError(key, f'must be "address", "localpart" (the part before @) or "none", got {value!r}')
    return str(value)


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
        raise ConfigError(key, 'must be a table of domain = "name"')
    return {_domain(f"{key}.{k}", k): _string(f"{key}.{k}", v) for k, v in value.items()}


def _port(key: str, value: Any) -> int:
    # bool is an int subclass in Python; `port = true` is still a mistake.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ConfigError(key, f"must be a port number from 1 to 65535, got {value!r}")
    return value


def _tls(key: str, value: Any) -> str:
    if value not in TLS_MODES:
        raise ConfigError(key, f'must be "ssl" (implicit TLS) or "starttls", got {value!r}')
    return str(value)


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(key, f"must be true or false, got {value!r}")
    return value


Checker = Callable[[str, Any], Any]


def _check_table(key: str, value: Any, schema: Mapping[str, Checker]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(key, "must be a table")
    checked = {}
    for name, item in value.items():
        path = f"{key}.{name}" if key else name
        if name not in schema:
            raise ConfigError(path, f"unknown key (known: {', '.join(schema)})")
        checked[name] = schema[name](path, item)
    return checked


def _table(schema: Mapping[str, Checker]) -> Checker:
    return lambda key, value: _check_table(key, value, schema)


def _per_domain(schema: Mapping[str, Checker]) -> Checker:
    """A table of domain = {table following `schema`}, keyed by ASCII domain."""

    def check(key: str, value: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict):
            raise ConfigError(key, 'must be a table of "domain" = { ... }')
        return {_domain(f"{key}.{k}", k): _check_table(f"{key}.{k}", v, schema) for k, v in value.items()}

    return check


SERVICE_SCHEMA: dict[str, Checker] = {"enabled": _boolean, "host": _domain, "port": _port, "tls": _tls}

DAV_SCHEMA: dict[str, Checker] = {
    "caldav_url": _dav_url,
    "carddav_url": _dav_url,
    "login": _login,
    "display_name": _string,
}

CONFIG_SCHEMA: dict[str, Checker] = {
    "documentation_url": _url,
    "webmail_url": _url,
    "extra_domains": _domain_list,
    "exclude_domains": _domain_list,
    "display_names": _display_names,
    "setup_page_domains": _domain_list,
    "services": _table({name: _table(SERVICE_SCHEMA) for name in SERVICE_NAMES}),
    # Calendars and contacts; [dav.domains."example.org"] overrides keys for one domain.
    "dav": _table(DAV_SCHEMA | {"domains": _per_domain(DAV_SCHEMA)}),
}
