"""Following GitHub's ``Link`` header, page by page, with a cap.

https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api
GitHub decides the next page's URL (page numbers for most lists, ``cursor`` for hook
deliveries); we never build it ourselves, only follow ``rel="next"``.
"""

from __future__ import annotations

import re

PER_PAGE = 100

_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


def parse_link_header(value: str | None) -> dict[str, str]:
    """``{"next": url, "last": url, ...}`` from a ``Link`` header (empty when absent)."""
    if not value:
        return {}
    links: dict[str, str] = {}
    for url, rels in _LINK.findall(value):
        for rel in rels.split():
            links[rel] = url
    return links


def next_url(link_header: str | None) -> str | None:
    return parse_link_header(link_header).get("next")
