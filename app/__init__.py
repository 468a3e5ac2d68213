"""Mail autoconfig for Cloudron: the application factory."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, RequestTimeout
from werkzeug.wrappers import Response as BaseResponse

from . import i18n
from .documents import Documents
from .proxy import trust_proxy
from .runtime import Runtime
from .settings import Settings
from .settings_loader import load_settings
from .signing import load_signer
from .views import discovery, mobileconfig, plain, setup

log = logging.getLogger("autoconfig")

# Real Autodiscover requests are a few hundred bytes; anything past this is
# refused with 413 before it is parsed.
MAX_BODY_BYTES = 16 * 1024
# How much of a refused body is read and dropped before answering, so that a
# proxy still sending it gets our 413 rather than a reset (which it would turn
# into a 502). nginx's default client_max_body_size is 1 MiB.
DRAIN_BYTES = 1024 * 1024

# Clients spell these paths in every casing (Autodiscover/AutoDiscover/...).
CASELESS_PREFIXES = ("/autodiscover/autodiscover.xml", "/autodiscover/autodiscover.json")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` may carry SETTINGS (a ready model) or ENVIRON
    (a mapping to build it from, os.environ when absent); ADMIN=False leaves
    the admin dashboard out; DNS_RESOLVER replaces the dashboard's resolver."""
    app = Flask(__name__)
    # The app never redirects (clients do not all follow, and Cloudron's
    # health check does not): no "//" merging, no trailing-slash redirects.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.config.from_mapping(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, ENVIRON=None, SETTINGS=None, ADMIN=True)
    app.config.from_mapping(config or {})
    settings: Settings = app.config["SETTINGS"] or load_settings(app.config["ENVIRON"])
    _log_start(settings)

    signer = load_signer(settings.tls_cert_file, settings.tls_key_file, settings.trust_store_file)
    if signer.signs:
        log.info("Apple profiles are signed as %s", signer.name)
    else:
        log.warning("Apple profiles are unsigned: %s", signer.detail)
    Runtime(settings, Documents(settings), signer).install(app)

    i18n.init_app(app)
    for blueprint in (discovery.bp, mobileconfig.bp, setup.bp):
        app.register_blueprint(blueprint)
    if app.config["ADMIN"]:
        from . import admin

        admin.init_app(app)
    app.register_error_handler(HTTPException, _plain_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(Exception, _unexpected)

    # One trusted hop: Cloudron's nginx sets X-Forwarded-Proto/-Host/-For.
    app.wsgi_app = trust_proxy(_caseless_paths(app.wsgi_app), settings)  # type: ignore[method-assign]
    return app


def _log_start(settings: Settings) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    where = "DEMO environment (no CLOUDRON_* variables set)" if settings.demo else "Cloudron environment"
    log.info(
        "serving %d mail domain(s) from the %s: %s; mail host %s",
        len(settings.domains),
        where,
        ", ".join(d.name for d in settings.domains) or "none",
        settings.mail_host,
    )
    if settings.config_error:
        log.error("config file ignored, serving defaults: %s", settings.config_error)
    for problem in settings.environment_problems:
        log.error("%s", problem)
    if not settings.domains:
        log.warning("no mail domains: is the email addon enabled?")


def _plain_error(error: HTTPException) -> BaseResponse:
    # Short, fixed text: never the request path or a stack trace.
    code = error.code or 500
    return plain(code, f"{code} {error.name}")


def _unexpected(error: Exception) -> BaseResponse:
    # A bug, never the client's due; said in one line, not a traceback, so
    # that a request repeated in a loop cannot flood the log Cloudron keeps.
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    log.error("500 for %s %r: %s%s", request.method, request.path[:200], type(error).__name__, where)
    return plain(500, "500 Internal Server Error")


def _too_large(error: RequestEntityTooLarge) -> BaseResponse:
    stream, left = request.environ["wsgi.input"], DRAIN_BYTES
    try:
        while left > 0 and (chunk := stream.read(min(left, 64 * 1024))):
            left -= len(chunk)
    except RequestTimeout:
        pass  # a body announced and never sent: answer now, within the body deadline
    return _plain_error(error)


def _caseless_paths(wsgi_app: Any) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        for prefix in CASELESS_PREFIXES:
            if path[: len(prefix)].lower() == prefix:
                environ["PATH_INFO"] = prefix + path[len(prefix) :]
        return wsgi_app(environ, start_response)

    return app
