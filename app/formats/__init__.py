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

# Stand in for the user's address, and its part before "@" (a DAV login),
# while a document is rendered once per domain; they contain nothing that
# XML escaping would change.
LOCAL_PART_SLOT = "LOCAL-PART-SLOT-7f3c"
ADDRESS_SLOT = f"{LOCAL_PART_SLOT}@ADDRESS-SLOT-7f3c"


def render(template: str, **context: Any) -> bytes:
    return templates.get_template(template).render(**context).encode("utf-8")


class AddressTemplate:
    """A document rendered once, with slots for the (escaped) address and its local part.

    Rendering is the expensive part; filling the slots is a join, so a
    request only pays for escaping its own address.
    """

    def __init__(self, rendered: bytes) -> None:
        self._parts = [part.split(LOCAL_PART_SLOT.encode()) for part in rendered.split(ADDRESS_SLOT.encode())]

    def fill(self, address: str) -> bytes:
        local_part = str(escape(address.rsplit("@", 1)[0])).encode("utf-8")
        return str(escape(address)).encode("utf-8").join(local_part.join(pieces) for pieces in self._parts)


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
