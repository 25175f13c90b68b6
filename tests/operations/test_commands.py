"""Commands in production mode: ``help`` lists them all whatever is missing; ``check_config``
lists every problem; commands needing GitHub say so cleanly when it is not configured."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.support.processes import free_port

OUR_COMMANDS = ("check_config", "sync_installations", "enable_repository",
                "rotate_encryption_key", "replay_webhooks", "redeliver_webhooks",
                "prune_webhook_events", "receive_webhook", "github_app_manifest")


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _bare_production_env(**extra: str) -> dict[str, str]:
    """Production mode with none of the secrets set."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GITHUB_", "DJANGO_", "TOKEN_"))}
    return {**env, "DJANGO_DEBUG": "false", **extra}


def test_help_lists_every_command_in_production_mode_with_nothing_configured():
    result = _manage("help", env=_bare_production_env())
    assert result.returncode == 0, result.stderr
    for command in OUR_COMMANDS:
        assert command in result.stdout, f"{command} missing from help"
    one = _manage("sync_installations", "--help", env=_bare_production_env())
    assert one.returncode == 0 and "--dry-run" in one.stdout


def test_the_same_problems_stop_check_and_migrate():
    for command in (("check",), ("migrate", "--plan")):
        result = _manage(*command, env=_bare_production_env())
        assert result.returncode != 0
        assert "fortify.E001" in result.stderr
        assert "GITHUB_WEBHOOK_SECRET is not set" in result.stderr


def test_check_config_reports_a_broken_private_key_and_an_unreachable_redis():
    from tests.test_foundation import _production_env

    broken_key = "-----BEGIN RSA PRIVATE KEY-----\\nnot-a-key\\n-----END RSA PRIVATE KEY-----"
    dead_redis = f"redis://:hunter2-{uuid.uuid4().hex[:6]}@127.0.0.1:{free_port()}/0"
    result = _manage("check_config", env=_production_env(GITHUB_APP_PRIVATE_KEY=broken_key,
                                                          REDIS_URL=dead_redis))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "FAIL production: GITHUB_APP_PRIVATE_KEY does not hold a readable PEM" in output
    assert "FAIL redis: Redis at redis://127.0.0.1:" in output
    assert "check REDIS_URL" in output
    assert "ok   database" in output
    assert "configuration problem(s)" in output
    assert "hunter2" not in output, "the Redis password is never echoed"
    assert "not-a-key" not in output


@pytest.mark.django_db
def test_check_config_passes_against_the_sandbox(github_settings, settings, capsys):
    settings.DEBUG = True  # development mode: only what is set is checked
    call_command("check_config")
    out = capsys.readouterr().out
    assert "ok   github:" in out and "accepts the App's JWT" in out
    assert "Configuration OK." in out


@pytest.mark.django_db
def test_check_config_says_when_github_refuses_the_app(github_settings, settings):
    settings.DEBUG = True
    settings.GITHUB_APP_ID = "999999"
    with pytest.raises(CommandError, match="1 configuration problem"):
        call_command("check_config")


@pytest.mark.django_db
@pytest.mark.parametrize("command", [("sync_installations",), ("redeliver_webhooks",)])
def test_commands_that_need_github_say_it_is_not_configured(command, settings):
    settings.GITHUB_APP_ID = ""
    with pytest.raises(CommandError, match="GitHub is not configured: set GITHUB_APP_ID"):
        call_command(*command)
