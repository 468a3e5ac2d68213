"""Pure renderers: one module per output format, settings model in, bytes out.

The Jinja environment only knows the templates folder; nothing here reads
configuration or request state.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import escape

templates = Environment(
    loader=PackageLoader("app", "templates/formats"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

# Stands in for the user's address while a document is rendered once per
# domain; it contains nothing that XML escaping would change.
ADDRESS_SLOT = "ADDRESS-SLOT-7f3c"


def render(template: str, **context: Any) -> bytes:
    return templates.get_template(template).render(**context).encode("utf-8")


class AddressTemplate:
    """A document rendered once, with a slot for the (escaped) address.

    Rendering is the expensive part; filling the slot is a join, so a
    request only pays for escaping its own address.
    """

    def __init__(self, rendered: bytes) -> None:
        self._parts = rendered.split(ADDRESS_SLOT.encode())

    def fill(self, address: str) -> bytes:
        return str(escape(address)).encode("utf-8").join(self._parts)


class UnreadableXml(ValueError):
    """Bytes that are not a well-formed, harmless XML document."""


def parse_xml(body: bytes) -> Element:
    """Parse XML someone else wrote; raise UnreadableXml for anything wrong.

    defusedxml refuses DTDs and entities (XML bombs, external entities).
    LookupError comes from a declaration naming an encoding Python lacks or
    one that is not a text encoding (encoding="x-nope", "rot13", "base64").
    """
    try:
        root: Element = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise UnreadableXml(str(exc)) from exc
    return root
