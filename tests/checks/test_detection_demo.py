"""The sandbox demo's SQL injection fails the check with a CWE-89 annotation on the vulnerable
line, and the same code with a parameterized query passes: pull requests opened on the
sandbox, delivered to the real receiver and scanned by a real Celery worker. The completed
scan's SARIF export validates against the SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.models import ScanJob
from checks.sarif import validate_sarif
from installations.sync import sync_installations
from tests.support.processes import wait_until
from tests.support.sandbox import check_runs_for

SEED = Path(__file__).resolve().parents[2] / "github_sandbox" / "seed_data" / "payments-api"
VULNERABLE_DB = (SEED / "vuln__sql-injection" / "payments" / "db.py").read_text()
VULNERABLE_LINE = next(number for number, line in enumerate(VULNERABLE_DB.splitlines(), 1)
                       if "customer = '%s'" in line)
PARAMETERIZED_DB = VULNERABLE_DB.replace(
    """cursor.execute("SELECT * FROM payments WHERE customer = '%s' ORDER BY id" % customer)""",
    """cursor.execute("SELECT * FROM payments WHERE customer = ? ORDER BY id", (customer,))""")


def completed_run(sandbox, head_sha: str, log: Path):
    def completed():
        runs = check_runs_for(sandbox, "fortify-demo", "payments-api", head_sha)
        return runs[0] if runs and runs[0].status == "completed" else None

    return wait_until(completed, timeout=240, what="the check run to complete", log=log)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_sql_injection_fails_with_cwe_89_and_parameterized_query_passes(
        celery_worker, worker_github_settings, live_server, client):
    assert PARAMETERIZED_DB != VULNERABLE_DB
    sandbox = worker_github_settings
    sync_installations()
    sandbox.state.push_commit("fortify-demo", "payments-api", "fix/parameterized-query",
                              {"payments/db.py": PARAMETERIZED_DB}, notify=False)
    sandbox.app.webhook_url = f"{live_server.url}/api/webhooks/github"
    try:
        vulnerable = sandbox.state.open_pull_request(
            "fortify-demo", "payments-api", "vuln/sql-injection", wait=True)
        parameterized = sandbox.state.open_pull_request(
            "fortify-demo", "payments-api", "fix/parameterized-query", wait=True)
    finally:
        sandbox.app.webhook_url = None

    failing = completed_run(sandbox, vulnerable["head"]["sha"], celery_worker.log_path)
    assert failing.conclusion == "failure"
    sql = [a for a in failing.annotations
           if a["path"] == "payments/db.py" and "CWE-89" in a["title"]]
    assert len(sql) == 1, failing.annotations  # Bandit's B608 and our rule: one finding
    assert sql[0]["start_line"] == VULNERABLE_LINE
    assert sql[0]["annotation_level"] == "failure"
    assert sql[0]["title"].startswith("High: SQL query built from input")
    assert "A03:2021-Injection" in sql[0]["message"]
    assert "fortify/python-sql-injection" in sql[0]["message"]

    passing = completed_run(sandbox, parameterized["head"]["sha"], celery_worker.log_path)
    assert passing.conclusion == "success", passing.annotations
    assert passing.annotations == []

    scan = ScanJob.objects.get(head_sha=vulnerable["head"]["sha"])
    finding = scan.findings.get(path="payments/db.py", cwe="CWE-89")
    assert (finding.start_line, finding.severity, finding.confidence) == (
        VULNERABLE_LINE, "HIGH", "HIGH")
    assert finding.owasp == "A03:2021-Injection"

    from tests.support.people import make_member, make_user

    member = make_user("demo-member")
    make_member(member, scan.installation, "member")
    client.force_login(member)  # the scan page and its export are members only
    page = client.get(f"/scans/{scan.public_id}")
    assert b"CWE-89" in page.content and b"fortify/python-sql-injection" in page.content
    response = client.get(f"/scans/{scan.public_id}/sarif")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/sarif+json"
    log = json.loads(response.content)
    validate_sarif(log)
    results = log["runs"][0]["results"]
    sql_result = next(r for r in results if r["ruleId"] == "fortify/python-sql-injection")
    region = sql_result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == VULNERABLE_LINE
    rule = log["runs"][0]["tool"]["driver"]["rules"][sql_result["ruleIndex"]]
    assert "external/cwe/cwe-89" in rule["properties"]["tags"]
