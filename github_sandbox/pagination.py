"""Page-number pagination with GitHub's `Link` header (first/prev/next/last, absolute URLs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

T = TypeVar("T")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def page_params(args: dict[str, str]) -> tuple[int, int]:
    """`per_page` (default 30, capped at 100) and `page` (from 1), lenient like GitHub."""
    try:
        per_page = int(args.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        per_page = DEFAULT_PER_PAGE
    try:
        page = int(args.get("page", 1))
    except ValueError:
        page = 1
    return min(max(per_page, 1), MAX_PER_PAGE), max(page, 1)


def paginate(items: Sequence[T], url: str, args: dict[str, str]) -> tuple[list[T], str | None]:
    """One page of `items` and the `Link` header value (None when it all fits on one page)."""
    per_page, page = page_params(args)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = list(items[(page - 1) * per_page: page * per_page])

    def link(number: int, rel: str) -> str:
        query = {**args, "page": str(number)}  # per_page only when the caller gave it
        return f'<{url}?{urlencode(query)}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
        links.append(link(last, "last"))
    if page > 1:
        links.append(link(1, "first"))
    return chunk, (", ".join(links) or None)
