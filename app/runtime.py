"""What the views reach at run time, built once by the factory: one typed,
frozen object, and one accessor for it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from .documents import Documents
from .settings import Settings
from .signing import ProfileSigner

EXTENSION = "autoconfig"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    documents: Documents
    signer: ProfileSigner

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self


def runtime(app: Flask | None = None) -> Runtime:
    """The Runtime of `app`, or of the running app inside a request."""
    found: Runtime = (app or current_app).extensions[EXTENSION]
    return found
