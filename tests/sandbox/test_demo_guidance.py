"""The demo guides: the PR page refreshes itself while a run is in progress and renders the
run's Markdown summary; repositories that are not installed or have no branches say so."""

from __future__ import annotations

import requests

from tests.sandbox.conftest import Api

RUNS = "/repos/fortify-demo/payments-api/check-runs"


def _open_pull(sandbox) -> dict:
    return sandbox.state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")


def test_pr_page_refreshes_while_a_run_is_in_progress_and_renders_markdown(sandbox,
                                                                          as_org: Api):
    pull = _open_pull(sandbox)
    page = f"{sandbox.url}/fortify-demo/payments-api/pull/{pull['number']}"
    run = as_org.post(RUNS, json={"name": "Fortify Security Scan", "head_sha": pull["head"]["sha"],
                                  "status": "in_progress"}).json()
    assert 'http-equiv="refresh"' in requests.get(page, timeout=5).text

    summary = ("### 2 findings\n\n| severity | rule |\n|---|---|\n| **high** | `sql` |\n\n"
               "<script>alert(1)</script>")
    as_org.patch(f"{RUNS}/{run['id']}", json={
        "status": "completed", "conclusion": "failure",
        "output": {"title": "2 findings", "summary": summary}})
    html = requests.get(page, timeout=5).text
    assert 'http-equiv="refresh"' not in html, "a finished page stays still"
    assert "<h3>2 findings</h3>" in html
    assert "<td><strong>high</strong></td>" in html
    assert "<script>alert(1)</script>" not in html, "raw HTML in a summary is escaped"


def test_pr_page_explains_why_there_is_no_check_run(sandbox):
    sandbox.app.webhook_url = None
    pull = _open_pull(sandbox)
    html = requests.get(f"{sandbox.url}/fortify-demo/payments-api/pull/{pull['number']}",
                        timeout=5).text
    assert "the App has no webhook URL" in html and "bin/run" in html
    assert 'http-equiv="refresh"' not in html

    other = sandbox.state.open_pull_request("fortify-demo", "inventory-service",
                                            "vuln/command-injection")
    html = requests.get(f"{sandbox.url}/fortify-demo/inventory-service/pull/{other['number']}",
                        timeout=5).text
    assert "is not installed on fortify-demo/inventory-service" in html
    assert f'href="/apps/{sandbox.app.slug}/installations/new"' in html


def test_repository_pages_offer_the_next_step(sandbox):
    not_installed = requests.get(f"{sandbox.url}/fortify-demo/inventory-service", timeout=5).text
    assert "is not installed on this repository" in not_installed
    assert "Install it" in not_installed

    no_branches = requests.get(f"{sandbox.url}/octocat/hello-world", timeout=5).text
    assert "No branch besides <code>main</code>" in no_branches
    assert 'href="/fortify-demo/payments-api"' in no_branches
