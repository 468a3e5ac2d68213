"""Mail autoconfig for Cloudron: the application factory."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from . import i18n
from .documents import Documents
from .settings import Settings, load_settings
from .signing import load_signer

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
    (a mapping to build it from, os.environ when absent)."""
    app = Flask(__name__)
    # The app never redirects (clients do not all follow, and Cloudron's
    # health check does not): no "//" merging, no trailing-slash redirects.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.config.from_mapping(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, ENVIRON=None, SETTINGS=None)
    app.config.from_mapping(config or {})
    if app.config["SETTINGS"] is None:
        app.config["SETTINGS"] = load_settings(app.config["ENVIRON"])
    settings: Settings = app.config["SETTINGS"]
    _log_start(settings)

    app.extensions["documents"] = Documents(settings)
    app.extensions["signer"] = signer = load_signer(settings.tls_cert_file, settings.tls_key_file)
    if signer.signs:
        log.info("Apple profiles are signed as %s", signer.name)
    else:
        log.warning("Apple profiles are unsigned: %s", signer.detail)

    from .views import admin, discovery, mobileconfig, setup
    i18n.init_app(app)
    for blueprint in (discovery.bp, mobileconfig.bp, setup.bp):
        app.register_blueprint(blueprint)
    admin.init_app(app)
    app.register_error_handler(HTTPException, _plain_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)

    # One trusted hop: Cloudron's nginx sets X-Forwarded-Proto/-Host/-For.
    app.wsgi_app = ProxyFix(_caseless_paths(app.wsgi_app), x_for=1, x_proto=1,
                            x_host=1, x_port=1)
    return app


def _log_start(settings: Settings) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    where = ("DEMO environment (no CLOUDRON_* variables set)" if settings.demo
             else "Cloudron environment")
    log.info("serving %d mail domain(s) from the %s: %s; mail host %s",
             len(settings.domains), where,
             ", ".join(d.name for d in settings.domains) or "none", settings.mail_host)
    if settings.config_error:
        log.error("config file ignored, serving defaults: %s", settings.config_error)
    if not settings.domains:
        log.warning("no mail domains: is the email addon enabled?")


def _plain_error(error: HTTPException) -> Response:
    # Short, fixed text: never the request path or a stack trace.
    return Response(f"{error.code} {error.name}\n", error.code,
                    content_type="text/plain; charset=utf-8")


def _too_large(error: RequestEntityTooLarge) -> Response:
    stream, left = request.environ["wsgi.input"], DRAIN_BYTES
    while left > 0 and (chunk := stream.read(min(left, 64 * 1024))):
        left -= len(chunk)
    return _plain_error(error)


def _caseless_paths(wsgi_app):
    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        for prefix in CASELESS_PREFIXES:
            if path[:len(prefix)].lower() == prefix:
                environ["PATH_INFO"] = prefix + path[len(prefix):]
        return wsgi_app(environ, start_response)
    return app
