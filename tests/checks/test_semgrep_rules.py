"""Every rule in our Semgrep ruleset is proven to fire (``ruleid:``) and not to fire (``ok:``).

Runs ``semgrep --test`` on ``checks/semgrep_rules`` with its annotated samples in
``checks/semgrep_rules/tests`` (and ``*.fixed.*`` files for rules with a fix).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks.engines.semgrep import RULES_DIR
from checks.findings import Severity

TESTS_DIR = RULES_DIR / "tests"


def load_rules() -> list[dict[str, Any]]:
    rules = []
    for rule_file in sorted(RULES_DIR.rglob("*.yml")):
        if TESTS_DIR in rule_file.parents:
            continue
        rules += yaml.safe_load(rule_file.read_text())["rules"]
    return rules


RULES = load_rules()


@pytest.fixture(scope="module")
def semgrep_test_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("semgrep-home")
    env = {
        "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.defpath)),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "SEMGREP_SEND_METRICS": "off",
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "LANG": "C.UTF-8",
    }
    semgrep = str(Path(sys.executable).parent / "semgrep")
    completed = subprocess.run(
        [
            semgrep,
            "--test",
            "--json",
            "--metrics=off",
            "--disable-version-check",
            "--config",
            str(RULES_DIR),
            str(TESTS_DIR),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    report = json.loads(completed.stdout)
    report["returncode"] = completed.returncode
    return report


def test_semgrep_test_suite_passes(semgrep_test_report: dict[str, Any]) -> None:
    assert semgrep_test_report["config_with_errors"] == []
    assert semgrep_test_report["config_missing_tests"] == []
    assert semgrep_test_report["config_missing_fixtests"] == []
    failed = {
        rule_id: check["matches"]
        for result in semgrep_test_report["results"].values()
        for rule_id, check in result["checks"].items()
        if not check["passed"]
    }
    assert failed == {}
    fix_failures = {
        path: outcome
        for path, outcome in semgrep_test_report["fixtest_results"].items()
        if not outcome["passed"]
    }
    assert fix_failures == {}
    assert semgrep_test_report["returncode"] == 0


def test_every_rule_was_exercised(semgrep_test_report: dict[str, Any]) -> None:
    checked = {
        rule_id
        for result in semgrep_test_report["results"].values()
        for rule_id, check in result["checks"].items()
        if any(match["expected_lines"] for match in check["matches"].values())
    }
    assert checked == {rule["id"] for rule in RULES}


def test_every_rule_has_positive_and_negative_samples() -> None:
    annotations = "\n".join(
        path.read_text() for path in TESTS_DIR.rglob("*")
        if path.is_file() and ".fixed." not in path.name
    )
    for rule in RULES:
        assert re.search(rf"ruleid: {re.escape(rule['id'])}(?=\s|$)", annotations), rule["id"]
        assert re.search(rf"ok: {re.escape(rule['id'])}(?=\s|$)", annotations), rule["id"]


def test_ruleset_covers_the_languages_we_promise() -> None:
    languages = {language for rule in RULES for language in rule["languages"]}
    assert {"javascript", "typescript", "go", "java", "ruby", "python"} <= languages


@pytest.mark.parametrize("rule", RULES, ids=[rule["id"] for rule in RULES])
def test_rule_metadata(rule: dict[str, Any]) -> None:
    # Semgrep prefixes ids with dotted paths; our engine keeps the part after the last dot.
    assert re.fullmatch(r"[a-z0-9-]+", rule["id"])
    assert rule["severity"] in {"ERROR", "WARNING", "INFO"}
    metadata = rule["metadata"]
    Severity.parse(metadata["fortify_severity"])
    assert metadata["cwe"].startswith("CWE-")
    assert metadata["recommendation"].strip()
    title = rule["message"].split(". ", 1)[0]
    assert 10 <= len(title) <= 80
    if "fix" in rule or "fix-regex" in rule:
        assert list(TESTS_DIR.glob("*.fixed.*"))
