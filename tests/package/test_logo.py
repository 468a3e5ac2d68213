"""logo.png: the icon Cloudron shows in the dashboard and the app store."""

import struct
import zlib
from pathlib import Path

LOGO = Path(__file__).resolve().parents[2] / "logo.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {2: "RGB", 6: "RGBA"}


def chunks(data: bytes):
    offset = len(PNG_SIGNATURE)
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        yield kind, body
        offset += 12 + length


def test_logo_is_a_256_pixel_square_truecolour_png():
    data = LOGO.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    found = list(chunks(data))
    kind, ihdr = found[0]
    assert kind == b"IHDR"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", ihdr)
    assert (width, height, depth) == (256, 256, 8)
    assert colour in COLOUR_TYPES and interlace == 0
    assert found[-1][0] == b"IEND"
    # The pixels decode to a full image that is not a single flat colour.
    pixels = zlib.decompress(b"".join(body for kind, body in found if kind == b"IDAT"))
    assert len(pixels) == height * (1 + width * (4 if colour == 6 else 3))
    assert len(set(pixels)) > 16
