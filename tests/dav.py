"""The DAV section the tests configure: Nextcloud-shaped URLs for every
domain, a Radicale-shaped one of its own for example.org."""

from __future__ import annotations

DAV_TOML = """
[dav]
caldav_url = "https://cloud.example.com/remote.php/dav/"
carddav_url = "https://cloud.example.com/remote.php/dav/"
login = "localpart"
display_name = "Example Cloud"

[dav.domains."example.org"]
caldav_url = "https://dav.example.org:8443/"
carddav_url = "https://dav.example.org:8443/"
login = "address"
"""
