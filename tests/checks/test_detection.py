"""Classification (CWE/OWASP/confidence), one finding per issue across engines, severity by
exploitability, the Bandit parse-failure fallback and the Python Bandit runs under, and the
SARIF export (view, command, schema) with what each bad input gets."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from checks.agent import ScanMode, scan_workspace
from checks.classification import (
    BANDIT_CWE,
    BANDIT_SINK_ONLY,
    WEAKNESSES,
    bandit_cwe,
    cwe_id,
    owasp_for,
)
from checks.engines import BanditEngine, EngineError, SemgrepEngine
from checks.engines import bandit as bandit_module
from checks.engines.semgrep import RULES_DIR
from checks.finding_rows import finding_row
from checks.findings import Finding, Severity
from checks.merging import merge_engine_findings
from checks.models import ScanJob
from checks.reporting import annotations_for
from checks.sarif import SarifInvalid, sarif_log, validate_sarif
from installations.models import Installation, Repository

MODERN_PYTHON = textwrap.dedent("""\
    import subprocess

    type Customer = str


    def find(connection, customer: Customer):
        cursor = connection.cursor()
        cursor.execute("SELECT * FROM payments WHERE customer = '%s'" % customer)
        return cursor.fetchall()


    def archive(name):
        subprocess.call("tar czf /tmp/" + name + ".tgz /srv", shell=True)
    """)


def finding(**overrides) -> Finding:
    fields = {"engine": "semgrep", "rule_id": "python-sql-injection", "severity": Severity.HIGH,
              "title": "SQL query built from input", "description": "SQL (CWE-89)",
              "recommendation": "Use parameters.", "path": "app/db.py", "start_line": 7,
              "end_line": 7, "snippet": "cursor.execute(q % x)", "fingerprint": "f" * 64,
              "cwe": "CWE-89", "owasp": "A03:2021-Injection", "confidence": "HIGH"}
    return Finding(**{**fields, **overrides})


# --- classification -----------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("CWE-89: SQL Injection", "CWE-89"), (["CWE-78: OS Command"], "CWE-78"), (502, "CWE-502"),
    ("cwe-022", "CWE-22"), ("no id here", ""), (None, ""), ([], ""),
])
def test_cwe_id_reads_every_shape_engines_use(value, expected):
    assert cwe_id(value) == expected


def test_every_bandit_test_and_every_rule_maps_to_a_known_weakness():
    assert set(BANDIT_CWE.values()) <= set(WEAKNESSES)
    assert set(BANDIT_CWE) >= BANDIT_SINK_ONLY
    for rule_file in RULES_DIR.rglob("*.yml"):
        for rule in yaml.safe_load(rule_file.read_text())["rules"]:
            assert cwe_id(rule["metadata"]["cwe"]) in WEAKNESSES, rule["id"]


def test_bandit_table_wins_over_bandits_generic_cwe_and_owasp_follows_the_cwe():
    assert bandit_cwe("B324", 327) == "CWE-328"
    assert bandit_cwe("B999", 20) == "CWE-20"  # a test we do not know keeps Bandit's CWE
    assert bandit_cwe("B999", None) == ""
    assert owasp_for("CWE-89") == "A03:2021-Injection"
    assert owasp_for("CWE-918") == "A10:2021-Server-Side Request Forgery"
    assert owasp_for("CWE-89", "A03:2017-Injection") == "A03:2017-Injection"
    assert owasp_for("CWE-0") == ""


def test_annotation_names_cwe_owasp_confidence_and_stable_rule_id():
    [annotation] = annotations_for([finding()])
    assert annotation["title"] == "High: SQL query built from input (CWE-89)"
    assert ("CWE-89 · A03:2021-Injection · confidence HIGH · rule fortify/python-sql-injection"
            in annotation["message"])


# --- one finding per issue, severity by exploitability -------------------------------------

def test_bandit_and_our_rule_on_one_line_make_one_finding():
    ours = finding()
    bandit = finding(engine="bandit", rule_id="B608", severity=Severity.MEDIUM,
                     confidence="MEDIUM", fingerprint="b" * 64)
    merged = merge_engine_findings([bandit, ours], {"bandit": {"app/db.py"},
                                                    "semgrep": {"app/db.py"}})
    assert merged == [ours]


def test_sink_only_bandit_match_without_tainted_input_is_low():
    bandit = finding(engine="bandit", rule_id="B608", severity=Severity.MEDIUM,
                     confidence="MEDIUM")
    [lowered] = merge_engine_findings([bandit], {"semgrep": {"app/db.py"}})
    assert (lowered.severity, lowered.confidence) == (Severity.LOW, "LOW")
    assert "reported as LOW" in lowered.description
    # Semgrep did not scan the file (say, excluded): Bandit's judgement stands.
    assert merge_engine_findings([bandit], {"semgrep": set()}) == [bandit]
    # Not an injection judged by its sink: unchanged.
    pickle = finding(engine="bandit", rule_id="B301", cwe="CWE-502", severity=Severity.MEDIUM)
    assert merge_engine_findings([pickle], {"semgrep": {"app/db.py"}}) == [pickle]


def test_the_kept_finding_takes_a_dropped_duplicates_fix():
    """Our taint rule (CRITICAL, no fix) and Bandit's B506 (a fix) on one yaml.load: one
    finding, at our severity, that "Apply fixes" can still offer."""
    ours = finding(rule_id="python-insecure-deserialization", cwe="CWE-502",
                   severity=Severity.CRITICAL, snippet="yaml.load(data, Loader=yaml.Loader)")
    bandit = finding(engine="bandit", rule_id="B506", cwe="CWE-502", severity=Severity.MEDIUM,
                     fingerprint="b" * 64, auto_fixable=True,
                     fix="yaml.safe_load(data)")
    [merged] = merge_engine_findings([bandit, ours], {"semgrep": {"app/db.py"}})
    assert (merged.rule_id, merged.severity) == ("python-insecure-deserialization",
                                                  Severity.CRITICAL)
    assert (merged.auto_fixable, merged.fix) == (True, "yaml.safe_load(data)")
    # A fix written for other lines does not carry over.
    wider = dataclasses.replace(bandit, start_line=6, end_line=7)
    [kept] = merge_engine_findings([wider, ours], {"semgrep": {"app/db.py"}})
    assert (kept.rule_id, kept.auto_fixable) == ("python-insecure-deserialization", False)


def test_bandit_weak_hash_our_rule_judged_harmless_is_low():
    """An MD5 ETag: Bandit flags every MD5 call, our rule (which scanned the file) did not."""
    md5 = finding(engine="bandit", rule_id="B324", cwe="CWE-328", severity=Severity.HIGH,
                  confidence="HIGH")
    [lowered] = merge_engine_findings([md5], {"semgrep": {"app/db.py"}})
    assert (lowered.severity, lowered.confidence) == (Severity.LOW, "LOW")
    assert "ETag" in lowered.description
    # Our rule flagged the same line: one finding, at the severity of the security use.
    ours = finding(rule_id="python-weak-hash", cwe="CWE-328", severity=Severity.MEDIUM)
    assert [f.severity for f in merge_engine_findings([md5, ours], {"semgrep": {"app/db.py"}})
            ] == [Severity.HIGH]
    # Semgrep did not scan the file: Bandit's judgement stands.
    assert merge_engine_findings([md5], {"semgrep": set()}) == [md5]


def test_different_weaknesses_on_one_line_stay_apart():
    sql = finding()
    secret = finding(engine="detect-secrets", rule_id="secret-keyword", cwe="CWE-798")
    assert merge_engine_findings([sql, secret], {}) == [sql, secret]


def test_finding_rows_keep_the_classification(db):
    row = finding_row(ScanJob(), finding())
    assert (row.cwe, row.owasp, row.confidence) == ("CWE-89", "A03:2021-Injection", "HIGH")
    assert row.stable_rule_id == "fortify/python-sql-injection"


# --- parse-failure fallback and the Python Bandit runs under -------------------------------

@pytest.fixture(scope="module")
def modern_workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("modern")
    (root / "app").mkdir()
    (root / "app" / "db.py").write_text(MODERN_PYTHON)
    return root


def test_file_bandit_cannot_parse_is_covered_by_semgrep(modern_workspace):
    assert BanditEngine().run(modern_workspace, ["app/db.py"], 120) == []  # a syntax error
    result = scan_workspace(modern_workspace, ["app/db.py"], mode=ScanMode.FULL,
                            changed_lines={}, timeout=240,
                            engines=[BanditEngine(), SemgrepEngine()])
    found = {(f.cwe, f.start_line, f.severity) for f in result.findings}
    assert ("CWE-89", 8, Severity.HIGH) in found
    assert ("CWE-78", 13, Severity.HIGH) in found
    assert result.files_scanned == ("app/db.py",)


def test_bandit_runs_under_the_configured_python(tmp_path):
    (tmp_path / "run.py").write_text("import subprocess\nsubprocess.call(cmd, shell=True)\n")
    engine = BanditEngine(python=sys.executable)
    assert engine.command() == [sys.executable, "-m", "bandit"]
    [shell] = engine.run(tmp_path, ["run.py"], 120)
    assert (shell.rule_id, shell.cwe, shell.start_line) == ("B602", "CWE-78", 2)


def test_a_configured_python_that_does_not_exist_is_a_clear_engine_error(tmp_path):
    (tmp_path / "run.py").write_text("print('hi')\n")
    with pytest.raises(EngineError) as error:
        BanditEngine(python=str(tmp_path / "python3.99")).run(tmp_path, ["run.py"], 30)
    assert error.value.reason == "could not start the tool"


def test_newest_python_with_bandit_is_chosen_automatically(tmp_path, monkeypatch, settings):
    settings.SCAN_BANDIT_PYTHON = ""
    for minor, exit_code in ((98, 0), (99, 1)):  # 3.99 lacks Bandit, 3.98 has it
        fake = tmp_path / f"python3.{minor}"
        fake.write_text(f"#!/bin/sh\nexit {exit_code}\n")
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    bandit_module.newest_python_with_bandit.cache_clear()
    try:
        assert BanditEngine().command() == [str(tmp_path / "python3.98"), "-m", "bandit"]
        settings.SCAN_BANDIT_PYTHON = sys.executable
        assert BanditEngine().command() == [sys.executable, "-m", "bandit"]
    finally:
        bandit_module.newest_python_with_bandit.cache_clear()


# --- SARIF ----------------------------------------------------------------------------------

def test_sarif_log_validates_and_carries_what_code_scanning_reads():
    findings = [finding(), finding(path="web/a b.js", engine="bandit", rule_id="B602",
                                   cwe="CWE-78", severity=Severity.LOW, confidence="LOW")]
    log = sarif_log(findings, tool_version="1.2.3", repository_url="https://github.com/o/r",
                    revision="a" * 40, branch="main", automation_id="fortify/o/r/1")
    validate_sarif(log)
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        "fortify/python-sql-injection", "bandit/B602"]
    first, second = run["results"]
    assert first["level"] == "error" and second["level"] == "note"
    assert run["tool"]["driver"]["rules"][0]["properties"]["security-severity"] == "8.0"
    location = second["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "web/a%20b.js", "uriBaseId": "%SRCROOT%"}
    assert first["partialFingerprints"] == {"fortifyFingerprint/v1": "f" * 64}


def test_invalid_sarif_is_refused_with_where_and_why():
    with pytest.raises(SarifInvalid) as error:
        validate_sarif({"version": "2.1.0", "runs": [{"tool": {}}]})
    assert any(message.startswith("runs/0/tool") for message in error.value.errors)


@pytest.fixture
def repository(db) -> Repository:
    installation = Installation.objects.create(
        installation_id=99, account_id=7, account_login="acme", account_type="Organization",
        target_type="Organization")
    return Repository.objects.create(github_id=1234, installation=installation,
                                     full_name="acme/shop")


def completed_scan(repository: Repository) -> ScanJob:
    scan = ScanJob.objects.create(repository=repository, head_sha="c" * 40, head_branch="main",
                                  status=ScanJob.Status.COMPLETED, conclusion="failure",
                                  engine_versions={"semgrep": "1.0"})
    finding_row(scan, finding()).save()
    return scan


def test_sarif_url_serves_a_completed_scan_and_explains_the_rest(client, repository):
    from tests.support.people import make_member, make_user

    scan = completed_scan(repository)
    assert client.get(f"/scans/{scan.public_id}/sarif").status_code == 302  # members only
    member = make_user("member")
    make_member(member, repository.installation, "member")
    client.force_login(member)
    response = client.get(f"/scans/{scan.public_id}/sarif")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="fortify-{scan.public_id}.sarif"')
    log = json.loads(response.content)
    validate_sarif(log)
    assert log["runs"][0]["versionControlProvenance"][0]["revisionId"] == "c" * 40

    running = ScanJob.objects.create(repository=repository, head_sha="d" * 40,
                                     status=ScanJob.Status.RUNNING)
    response = client.get(f"/scans/{running.public_id}/sarif")
    assert response.status_code == 409
    assert "only for a completed scan" in response.json()["error"]
    assert client.get(f"/scans/{uuid.uuid4()}/sarif").status_code == 404
    assert client.get("/scans/not-a-uuid/sarif").status_code == 404
    assert client.post(f"/scans/{scan.public_id}/sarif").status_code == 405
    page = client.get(f"/scans/{scan.public_id}")
    assert f'href="/scans/{scan.public_id}/sarif"'.encode() in page.content


def test_export_sarif_command(repository, tmp_path, capsys):
    scan = completed_scan(repository)
    target = tmp_path / "scan.sarif"
    call_command("export_sarif", str(scan.public_id), "--output", str(target))
    validate_sarif(json.loads(target.read_text()))
    call_command("export_sarif", str(scan.public_id))
    assert json.loads(capsys.readouterr().out)["version"] == "2.1.0"

    with pytest.raises(CommandError, match="is not a scan id"):
        call_command("export_sarif", "nope")
    with pytest.raises(CommandError, match="no scan with id"):
        call_command("export_sarif", str(uuid.uuid4()))
    queued = ScanJob.objects.create(repository=repository, head_sha="e" * 40)
    with pytest.raises(CommandError, match="only a completed scan"):
        call_command("export_sarif", str(queued.public_id))
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export_sarif", str(scan.public_id), "--output",
                     str(tmp_path / "missing" / "dir" / "x.sarif"))
