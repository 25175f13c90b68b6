"""The client's and the pipeline's tunables are read once into frozen objects; test overrides
still take effect; one backoff policy serves both."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from fortify_github.backoff import backoff_delay
from fortify_github.github.conf import GitHubSettings, conf
from webhooks.conf import WebhookSettings, webhook_settings

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("accounts", "checks", "fortify_github", "installations", "webhooks")


def test_read_once_frozen_and_rebuilt_when_a_setting_is_overridden(settings):
    assert conf() is conf() and webhook_settings() is webhook_settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        conf().max_pages = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        webhook_settings().max_attempts = 1  # type: ignore[misc]

    settings.GITHUB_MAX_PAGES = 7
    settings.WEBHOOK_MAX_ATTEMPTS = 9
    settings.WEBHOOK_PROCESSING_LEASE = 1234
    assert conf().max_pages == 7
    assert webhook_settings().max_attempts == 9
    assert webhook_settings().processing_lease.total_seconds() == 1234


def test_every_field_comes_from_a_setting_of_settings_py():
    source = (ROOT / "fortify_github" / "settings.py").read_text()
    for module, prefix in (("fortify_github/github/conf.py", "GITHUB_"),
                           ("webhooks/conf.py", "WEBHOOK_")):
        names = set(re.findall(rf"settings\.({prefix}[A-Z_]+)", (ROOT / module).read_text()))
        assert names, module
        missing = sorted(name for name in names if not re.search(rf"^{name}\b", source, re.M))
        assert not missing, f"{module} reads settings that settings.py never sets: {missing}"
    assert len(dataclasses.fields(GitHubSettings)) == 18
    assert len(dataclasses.fields(WebhookSettings)) == 10


def test_no_product_module_reads_a_setting_with_a_default_of_its_own():
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for package in PRODUCT for path in (ROOT / package).rglob("*.py")
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if "getattr(settings," in line.replace(" ", "")]
    assert not offenders, offenders


def test_one_backoff_policy_exponential_with_equal_jitter_and_a_cap():
    for attempt, ceiling in ((1, 2.0), (2, 4.0), (3, 8.0), (4, 10.0), (20, 10.0)):
        delays = [backoff_delay(attempt, base=2, cap=10) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, delays)
    assert backoff_delay(1, base=2, cap=10, hinted=7) == 7
    assert backoff_delay(1, base=2, cap=10, hinted=70) == 10
    assert backoff_delay(1, base=2, cap=10, hinted=-1) == 0


def test_client_and_pipeline_use_it_within_their_own_bounds(settings):
    settings.GITHUB_RETRY_BACKOFF_BASE = 1
    settings.GITHUB_RETRY_BACKOFF_MAX = 3
    settings.WEBHOOK_RETRY_BACKOFF_BASE = 100
    settings.WEBHOOK_RETRY_BACKOFF_MAX = 150
    from fortify_github.github.http import backoff_delay as client_backoff
    from webhooks.services import backoff as pipeline_backoff

    assert 1.5 <= client_backoff(3, conf()) <= 3
    assert 75 <= pipeline_backoff(5) <= 150
