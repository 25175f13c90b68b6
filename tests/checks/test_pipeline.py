"""Pull request scans end to end against the sandbox: real engines, real check runs.

Webhooks go through the real receiver and the real processing function; the scan task's
body runs in this process so each step can be observed (the worker test covers the queue).
"""

from __future__ import annotations

import pytest
from unidiff import PatchSet

from checks import services
from checks.models import CheckRun, ScanJob
from checks.reporting import ANNOTATIONS_PER_REQUEST, CHECK_NAME
from fortify_github.scanning import ScanMode
from installations.models import Repository
from installations.sync import sync_installations
from tests.support.sandbox import check_runs_for, last_payload, open_pull_request

pytestmark = pytest.mark.django_db

VULNERABLE_BRANCHES = [
    ("payments-api", "vuln/sql-injection",
     {"payments/app.py": "subprocess.call(cmd, shell=True)",
      "payments/db.py": "WHERE customer = '%s'",
      "payments/settings.py": "AKIAIOSFODNN7EXAMPLE"}),
    ("web-frontend", "vuln/eval-injection",
     {"src/server.js": "eval(req.query.x)",
      "public/app.js": "innerHTML = 'Hello, ' + name"}),
    ("inventory-service", "vuln/command-injection",
     {"internal/store/store.go": "s.db.QueryRow(query)",
      "internal/api/maintenance.go": "exec.Command("}),
]


@pytest.fixture
def org(synced):
    """The org installation, also covering inventory-service (added without a webhook)."""
    state = synced.state
    installation = next(i for i in state.installations.values()
                        if i.account.login == "fortify-demo")
    state.add_repository_to_installation(installation.id, "fortify-demo", "inventory-service",
                                         notify=False)
    sync_installations()
    return synced


def scan_of(payload) -> ScanJob:
    return ScanJob.objects.get(repository__github_id=payload["repository"]["id"],
                               pr_number=payload["number"],
                               head_sha=payload["pull_request"]["head"]["sha"])


def open_and_scan(sandbox, deliver, repo: str, branch: str, **options):
    payload = open_pull_request(sandbox, "fortify-demo", repo, branch, **options)
    event = deliver("pull_request", payload)
    assert event.status == "completed", event.last_error
    scan = scan_of(payload)
    services.run_scan(scan.pk)
    scan.refresh_from_db()
    run = check_runs_for(sandbox, "fortify-demo", repo, scan.head_sha)
    assert len(run) == 1
    return payload, scan, run[0]


def added_lines(sandbox, payload) -> dict[str, set[int]]:
    """What the PR added, computed independently from the sandbox's compare diff."""
    import requests

    base, head = payload["pull_request"]["base"]["sha"], payload["pull_request"]["head"]["sha"]
    url = f"{sandbox.url}/repos/{payload['repository']['full_name']}/compare/{base}...{head}"
    token = sandbox.state.issue_installation_token(
        sandbox.state.installation(payload["installation"]["id"])).token
    files = requests.get(url, headers={"Authorization": f"token {token}"}, timeout=10).json()
    added = {}
    for item in files["files"]:
        patch = PatchSet(f"--- a/{item['filename']}\n+++ b/{item['filename']}\n"
                         f"{item['patch']}\n")
        added[item["filename"]] = {line.target_line_no for hunk in patch[0] for line in hunk
                                   if line.is_added}
    return added


def line_of(sandbox, payload, path: str, text: str) -> int:
    state = sandbox.state
    repo = state.repository(*payload["repository"]["full_name"].split("/"))
    content = repo.store.files_of(payload["pull_request"]["head"]["sha"])[path].decode()
    return next(number for number, line in enumerate(content.splitlines(), 1) if text in line)


@pytest.mark.parametrize(("repo", "branch", "expected"), VULNERABLE_BRANCHES)
def test_vulnerable_lines_get_annotations_on_exactly_those_lines(org, deliver, repo, branch,
                                                                 expected):
    payload, scan, run = open_and_scan(org, deliver, repo, branch)

    assert run.name == CHECK_NAME
    assert run.status == "completed"
    assert run.conclusion == "failure"
    assert scan.status == ScanJob.Status.COMPLETED
    added = added_lines(org, payload)
    annotated = {(a["path"], line) for a in run.annotations
                 for line in range(a["start_line"], a["end_line"] + 1)}
    for annotation in run.annotations:
        lines = set(range(annotation["start_line"], annotation["end_line"] + 1))
        assert lines & added.get(annotation["path"], set()), annotation
    for path, text in expected.items():
        assert (path, line_of(org, payload, path, text)) in annotated, (path, text)
    assert len(run.annotations) == scan.findings.count()
    assert run.output["title"]
    assert run.details_url.endswith(f"/scans/{scan.public_id}")
    assert {action["identifier"] for action in run.actions} <= {
        "apply_fixes", "rerun_scan", "view_dashboard"}


def test_untouched_vulnerable_line_gets_no_annotation(org, deliver):
    """config.py's yaml.load predates the PR; the PR adds a new shell=True call to the file."""
    state = org.state
    repository = state.repository("fortify-demo", "payments-api")
    original = repository.store.files_of(repository.branches["main"])[
        "payments/config.py"].decode()
    state.push_commit("fortify-demo", "payments-api", "feature/reload", {
        "payments/config.py": original + (
            "\n\ndef reload(name):\n"
            "    import subprocess\n"
            "    subprocess.call('systemctl reload ' + name, shell=True)\n")})
    payload, _scan, run = open_and_scan(org, deliver, "payments-api", "feature/reload")

    yaml_line = line_of(org, payload, "payments/config.py", "yaml.load(")
    shell_line = line_of(org, payload, "payments/config.py", "shell=True")
    lines = {a["start_line"] for a in run.annotations if a["path"] == "payments/config.py"}
    assert shell_line in lines
    assert yaml_line not in lines


def test_clean_pull_request_succeeds(org, deliver):
    _, scan, run = open_and_scan(org, deliver, "payments-api", "feature/clean-change")
    assert run.conclusion == "success"
    assert run.annotations == []
    assert scan.conclusion == "success"
    assert "No security issues" in run.output["title"]


def test_in_progress_run_exists_before_the_scan_starts(org, deliver):
    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")
    deliver("pull_request", payload)
    scan = scan_of(payload)
    assert scan.status == ScanJob.Status.QUEUED
    (run,) = check_runs_for(org, "fortify-demo", "payments-api", scan.head_sha)
    assert run.status == "in_progress"
    assert run.external_id == str(scan.public_id)
    assert scan.check_run.github_id == run.id


def test_synchronize_supersedes_the_older_scan(org, deliver):
    state = org.state
    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")
    deliver("pull_request", payload)
    first = scan_of(payload)
    state.push_commit("fortify-demo", "payments-api", "vuln/sql-injection",
                      {"NOTES.md": "more work\n"})
    newer = last_payload(org, "pull_request", "synchronize")
    deliver("pull_request", newer)
    second = scan_of(newer)

    first.refresh_from_db()
    assert first.status == ScanJob.Status.SUPERSEDED
    assert first.superseded_by == second
    (old_run,) = check_runs_for(org, "fortify-demo", "payments-api", first.head_sha)
    assert (old_run.status, old_run.conclusion) == ("completed", "cancelled")

    services.run_scan(first.pk)  # the queued task for the old commit does no work
    first.refresh_from_db()
    assert first.status == ScanJob.Status.SUPERSEDED
    assert first.findings.count() == 0

    services.run_scan(second.pk)
    (new_run,) = check_runs_for(org, "fortify-demo", "payments-api", second.head_sha)
    assert new_run.conclusion == "failure"


def test_a_new_push_fetches_only_the_blobs_it_changed(org, deliver):
    """The PR's other files keep their blob shas: a push re-scans them without asking GitHub
    for them again."""
    state = org.state
    # Existing files edited at the end: their patches do not hold them, blobs are fetched.
    files = {f"svc/handler_{number}.py": "".join(f"STEP_{line} = {line}\n" for line in range(9))
             for number in range(3)}
    state.push_commit("fortify-demo", "payments-api", "main", files)
    state.push_commit("fortify-demo", "payments-api", "feature/three",
                      {path: text + "LIMIT = 1\n" for path, text in files.items()})
    payload = open_pull_request(org, "fortify-demo", "payments-api", "feature/three")
    deliver("pull_request", payload)
    services.run_scan(scan_of(payload).pk)
    blobs = "/repos/fortify-demo/payments-api/git/blobs/*"
    before = len(state.requests_to("GET", blobs))
    state.push_commit("fortify-demo", "payments-api", "feature/three",
                      {"svc/handler_1.py": files["svc/handler_1.py"] + "LIMIT = 100\n"})
    newer = last_payload(org, "pull_request", "synchronize")
    deliver("pull_request", newer)
    second = scan_of(newer)
    services.run_scan(second.pk)

    second.refresh_from_db()
    assert second.status == ScanJob.Status.COMPLETED and second.files_scanned == 3
    assert len(state.requests_to("GET", blobs)) - before == 1


def test_closing_cancels_an_unfinished_scan(org, deliver):
    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")
    deliver("pull_request", payload)
    org.state.close_pull_request("fortify-demo", "payments-api", payload["number"])
    deliver("pull_request", last_payload(org, "pull_request", "closed"))
    scan = scan_of(payload)
    assert scan.status == ScanJob.Status.CANCELLED
    (run,) = check_runs_for(org, "fortify-demo", "payments-api", scan.head_sha)
    assert run.conclusion == "cancelled"


def test_fork_pull_request_is_scanned(org, deliver):
    payload, scan, run = open_and_scan(org, deliver, "payments-api", "vuln/sql-injection",
                                       fork_owner="mona-contrib")
    assert payload["pull_request"]["head"]["repo"]["full_name"] != \
        payload["repository"]["full_name"]
    assert scan.head_repository_full_name == payload["pull_request"]["head"]["repo"][
        "full_name"]
    assert run.conclusion == "failure"
    assert run.annotations


def test_disabled_repository_is_not_scanned(org, deliver):
    Repository.objects.filter(full_name="fortify-demo/payments-api").update(enabled=False)
    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")
    deliver("pull_request", payload)
    assert not ScanJob.objects.exists()
    assert check_runs_for(org, "fortify-demo", "payments-api",
                          payload["pull_request"]["head"]["sha"]) == []


def steps(files: int, per_file: int = 5) -> dict[str, str]:
    """``files`` files with ``per_file`` findings each (few enough per file not to group)."""
    body = "\n".join(f"def step_{i}(cmd):\n    subprocess.call(cmd, shell=True)\n"
                     for i in range(per_file))
    return {f"payments/steps/step_{number}.py": "import subprocess\n\n\n" + body
            for number in range(files)}


def test_more_than_120_findings_all_delivered_within_limits(org, deliver):
    org.state.push_commit("fortify-demo", "payments-api", "feature/many", steps(26))
    _payload, scan, run = open_and_scan(org, deliver, "payments-api", "feature/many")

    assert scan.findings.count() > 120
    assert len(run.annotations) == scan.findings.count()
    patches = [request for request in org.state.requests
               if request["method"] == "PATCH" and f"/check-runs/{run.id}" in request["path"]]
    sizes = [len(((request.get("json") or {}).get("output") or {}).get("annotations") or [])
             for request in patches]
    assert max(sizes) <= ANNOTATIONS_PER_REQUEST
    assert sum(sizes) == len(run.annotations)
    assert len(run.output["title"]) <= 255
    assert len(run.output["summary"]) <= 65535
    assert len(run.output.get("text") or "") <= 65535
    assert CheckRun.objects.get(scan=scan).annotations_sent == len(run.annotations)


@pytest.mark.parametrize("failure", ["engine_error", "engine_timeout"])
def test_engine_failure_lists_files_as_not_scanned_without_its_text(org, deliver, settings,
                                                                    tmp_path, failure):
    from checks.tasks import run_scan_task

    settings.SCAN_MAX_RETRIES = 0
    if failure == "engine_error":
        broken = tmp_path / "rules"
        broken.mkdir()
        (broken / "broken.yml").write_text("rules:\n  - id: broken\n    pattern: [unclosed\n")
        settings.SCAN_SEMGREP_RULES_DIR = str(broken)
    else:
        settings.SCAN_TIMEOUT_SECONDS = 0.001
    payload = open_pull_request(org, "fortify-demo", "web-frontend", "vuln/eval-injection")
    deliver("pull_request", payload)
    scan = scan_of(payload)

    assert run_scan_task.apply(args=[scan.pk]).get() == "completed"

    scan.refresh_from_db()
    (run,) = check_runs_for(org, "fortify-demo", "web-frontend", scan.head_sha)
    assert run.status == "completed" and run.conclusion != "success"
    assert "not scanned" in run.output["title"]
    reason = "engine_failed" if failure == "engine_error" else "engine_timeout"
    assert {(row["path"], row["reason"], row["engine"]) for row in scan.unscanned_files} >= {
        ("src/server.js", reason, "semgrep")}
    for leaked in ("Traceback", "exited with status", "after 0.001", "broken.yml",
                   str(tmp_path)):
        assert leaked not in run.output["summary"]


def test_free_scan_keeps_findings_of_the_whole_default_branch_without_a_check_run(org):
    repository = Repository.objects.get(full_name="fortify-demo/payments-api")
    before = len(org.state.check_runs)

    scan = services.free_scan(repository)
    services.run_scan(scan.pk)

    scan.refresh_from_db()
    assert scan.mode == ScanMode.FULL and scan.trigger == ScanJob.Trigger.FREE_SCAN
    assert scan.status == ScanJob.Status.COMPLETED
    assert scan.head_sha == org.state.repository("fortify-demo", "payments-api").branches[
        "main"]
    paths = set(scan.findings.values_list("path", flat=True))
    assert "payments/config.py" in paths, "the pre-existing yaml.load on main is reported"
    assert not CheckRun.objects.filter(scan=scan).exists()
    assert len(org.state.check_runs) == before


def test_scan_page_lists_the_findings(org, deliver, client):
    from tests.support.people import make_member, make_user

    _payload, scan, _run = open_and_scan(org, deliver, "web-frontend", "vuln/eval-injection")
    assert client.get(f"/scans/{scan.public_id}").status_code == 302  # members only
    member = make_user("member")
    make_member(member, scan.installation, "member")
    client.force_login(member)
    response = client.get(f"/scans/{scan.public_id}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "fortify-demo/web-frontend" in body
    for finding in scan.findings.all():
        assert f"{finding.path}:{finding.start_line}" in body
    assert client.get("/scans/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/scans/not-a-uuid").status_code == 404


def test_github_failing_through_every_retry_fails_the_run_generically(org, deliver, settings):
    from checks.tasks import run_scan_task

    settings.SCAN_MAX_RETRIES = 0
    settings.GITHUB_RETRY_MAX_ATTEMPTS = 1
    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")
    deliver("pull_request", payload)
    scan = scan_of(payload)
    org.state.faults.add("GET", "/repos/fortify-demo/payments-api/pulls/*/files",
                         "server_error", times=5, status=502)

    assert run_scan_task.apply(args=[scan.pk]).get() == "failed"

    scan.refresh_from_db()
    assert scan.status == ScanJob.Status.FAILED
    assert scan.failure_reason == "GitHub could not be reached reliably."
    (run,) = check_runs_for(org, "fortify-demo", "payments-api", scan.head_sha)
    assert run.conclusion == "failure"
    assert "502" not in run.output["summary"]


def test_missing_contents_permission_asks_for_action_instead_of_scanning(org, deliver):
    from installations.models import Installation

    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")
    deliver("pull_request", payload)
    scan = scan_of(payload)
    installation = Installation.objects.get(installation_id=payload["installation"]["id"])
    installation.permissions = {key: value for key, value in installation.permissions.items()
                                if key != "contents"}
    installation.save()
    files_before = len(org.state.requests_to("GET", "/repos/*/pulls/*/files"))

    services.run_scan(scan.pk)

    scan.refresh_from_db()
    assert scan.status == ScanJob.Status.FAILED
    (run,) = check_runs_for(org, "fortify-demo", "payments-api", scan.head_sha)
    assert run.conclusion == "action_required"
    assert "contents:read" in run.output["summary"]
    assert "Accept the new permissions on GitHub" in run.output["summary"]
    assert len(org.state.requests_to("GET", "/repos/*/pulls/*/files")) == files_before
    installation.refresh_from_db()
    assert "read_code" in installation.permission_warnings


def test_an_older_event_arriving_late_never_supersedes_a_newer_commit(org, deliver):
    """Retries and redeliveries can bring ``opened`` after ``synchronize``."""
    state = org.state
    opened = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")
    state.clock.advance(5)  # the next commit is seconds later, as updated_at will show
    state.push_commit("fortify-demo", "payments-api", "vuln/sql-injection",
                      {"NOTES.md": "more work\n"})
    synchronize = last_payload(org, "pull_request", "synchronize")
    deliver("pull_request", synchronize)
    current = scan_of(synchronize)

    assert deliver("pull_request", opened).status == "completed"

    current.refresh_from_db()
    assert current.status == ScanJob.Status.QUEUED
    assert not ScanJob.objects.filter(head_sha=opened["pull_request"]["head"]["sha"]).exists()
    (run,) = check_runs_for(org, "fortify-demo", "payments-api", current.head_sha)
    assert run.status == "in_progress"


def test_annotations_resume_from_githubs_count_after_a_lost_answer(org, deliver):
    """A batch GitHub applied but whose answer never came back is not sent twice."""
    org.state.push_commit("fortify-demo", "payments-api", "feature/resume", steps(12))
    payload = open_pull_request(org, "fortify-demo", "payments-api", "feature/resume")
    deliver("pull_request", payload)
    scan = scan_of(payload)
    # The second PATCH (the final one) is applied, but its answer is lost.
    org.state.faults.add("PATCH", "/repos/fortify-demo/payments-api/check-runs/*", "drop",
                         times=1, delay=3)
    from django.test import override_settings

    from fortify_github.github.errors import Unavailable

    with override_settings(GITHUB_HTTP_READ_TIMEOUT=1), pytest.raises(Unavailable):
        services.run_scan(scan.pk)
    scan.refresh_from_db()
    services.scan_release(scan.pk, retry_in=0)  # as the task's retry does
    services.run_scan(scan.pk)

    (run,) = check_runs_for(org, "fortify-demo", "payments-api", scan.head_sha)
    assert run.status == "completed"
    assert len(run.annotations) == scan.findings.count()
    keys = [(a["path"], a["start_line"], a["title"]) for a in run.annotations]
    assert len(keys) == len(set(keys)), "no annotation sent twice"


def test_reopened_and_ready_for_review_start_scans(org, deliver):
    state = org.state
    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection",
                                draft=True)
    state.close_pull_request("fortify-demo", "payments-api", payload["number"])
    state.reopen_pull_request("fortify-demo", "payments-api", payload["number"])
    assert deliver("pull_request", last_payload(org, "pull_request", "reopened")).status == \
        "completed"
    assert scan_of(payload).status == ScanJob.Status.QUEUED

    other = open_pull_request(org, "fortify-demo", "web-frontend", "vuln/eval-injection",
                              draft=True)
    state.mark_ready_for_review("fortify-demo", "web-frontend", other["number"])
    deliver("pull_request", last_payload(org, "pull_request", "ready_for_review"))
    assert scan_of(other).status == ScanJob.Status.QUEUED


def test_without_checks_write_no_run_is_created_and_the_reason_is_kept(org, deliver):
    from installations.models import Installation

    installation = Installation.objects.get(account_login="fortify-demo")
    installation.permissions = {**installation.permissions, "checks": "read"}
    installation.save()
    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")

    assert deliver("pull_request", payload).status == "completed"

    assert not ScanJob.objects.exists()
    assert check_runs_for(org, "fortify-demo", "payments-api",
                          payload["pull_request"]["head"]["sha"]) == []
    installation.refresh_from_db()
    assert installation.permission_warnings["report"]["missing"] == ["checks:write"]


def test_a_file_too_large_for_a_patch_is_scanned_whole_when_added(org, deliver):
    """GitHub leaves ``patch`` out of huge diffs; the compare API is asked, and an added file
    then counts as changed everywhere."""
    body = "value = 1\n" * 20_001 + "import subprocess\nsubprocess.call(cmd, shell=True)\n"
    org.state.push_commit("fortify-demo", "payments-api", "feature/generated",
                          {"payments/generated.py": body})
    _payload, _scan, run = open_and_scan(org, deliver, "payments-api", "feature/generated")

    assert org.state.requests_to("GET", "/repos/fortify-demo/payments-api/compare/*")
    assert {(a["path"], a["start_line"]) for a in run.annotations} >= {
        ("payments/generated.py", 20_003)}


def test_a_transient_github_failure_is_retried_and_the_scan_completes(org, deliver, settings):
    from checks.tasks import run_scan_task

    settings.GITHUB_RETRY_MAX_ATTEMPTS = 1  # the client gives up at once; the task retries
    settings.SCAN_MAX_RETRIES = 2
    payload = open_pull_request(org, "fortify-demo", "payments-api", "vuln/sql-injection")
    deliver("pull_request", payload)
    scan = scan_of(payload)
    org.state.faults.add("GET", "/repos/fortify-demo/payments-api/pulls/*/files",
                         "server_error", times=1, status=502)

    run_scan_task.apply(args=[scan.pk])

    scan.refresh_from_db()
    assert scan.status == ScanJob.Status.COMPLETED
    assert scan.attempts == 2
    (run,) = check_runs_for(org, "fortify-demo", "payments-api", scan.head_sha)
    assert run.conclusion == "failure" and run.annotations


def test_a_remote_agent_url_is_checked(settings):
    from django.core.checks import run_checks

    def ids() -> list[str]:
        return [message.id for message in run_checks()]

    settings.SCAN_AGENT_URL, settings.SCAN_AGENT_SECRET = "agent.example.test", ""
    assert "checks.E001" in ids()
    settings.SCAN_AGENT_URL = "https://agent.example.test"
    assert "checks.W002" in ids() and "checks.E001" not in ids()
    settings.SCAN_AGENT_SECRET = "s3cret"
    assert not {"checks.E001", "checks.W002"} & set(ids())
    settings.SCAN_AGENT_URL = ""
    assert not {"checks.E001", "checks.W002"} & set(ids())
