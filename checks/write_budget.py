"""One pull request never takes more than its share of the installation's write budget.

GitHub's secondary limits allow an installation about 80 content-creating requests a minute
(``GITHUB_CONTENT_REQUESTS_PER_MINUTE``, 500 an hour); the client's throttle keeps the
installation under them. Without a share per pull request, one PR with thousands of findings
spends the whole minute on annotation updates and every other PR of the installation waits
for its check run. Here each PR may take at most ``SCAN_PR_WRITE_SHARE`` of each window;
annotation batches beyond it are not sent (the summary lists what was left out), while the
requests that create and complete a run are always allowed (a run must never stay open).

Fixed windows in the shared cache (Redis, or the database cache on the embedded default).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache

from fortify_github.github import shared
from fortify_github.github.conf import conf

WINDOWS = ((60, "content_per_minute"), (3600, "content_per_hour"))
#: A PR may always take this many writes a window, however small the share.
MINIMUM = 3


def share() -> float:
    return float(settings.SCAN_PR_WRITE_SHARE)


def _key(installation_id: int, repository_id: int, pr_number: int, window: int) -> str:
    bucket = int(time.time() // window)
    return shared.key("prwrites", installation_id, repository_id, pr_number, window, bucket)


def allowance(window_limit: int) -> int:
    return max(MINIMUM, math.floor(window_limit * share()))


def take(installation_id: int, repository_id: int, pr_number: int | None, *,
         required: bool = False) -> bool:
    """Count one write for this pull request; False (nothing counted) when its share of a
    window is spent, unless ``required`` (creating or completing the run)."""
    if pr_number is None:
        return True
    client_conf = conf()
    keys = []
    for window, limit_name in WINDOWS:
        key = _key(installation_id, repository_id, pr_number, window)
        used = cache.get(key) or 0
        if not required and used >= allowance(getattr(client_conf, limit_name)):
            return False
        keys.append((key, window))
    for key, window in keys:
        cache.add(key, 0, timeout=window * 2)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window * 2)
    return True


def used(installation_id: int, repository_id: int, pr_number: int) -> int:
    """Writes this PR took in the current minute (for tests and the benchmark)."""
    return cache.get(_key(installation_id, repository_id, pr_number, 60)) or 0
