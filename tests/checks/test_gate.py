"""A gate that cannot be fooled (issue 14), tried as an attacker would, against the sandbox.

Real engines, the real receiver and processing function, the real GitHub client talking to
the sandbox over HTTP; the scan task's body runs in this process so each step is observed.
"""

from __future__ import annotations

import base64

import pytest
from markdown_it import MarkdownIt

from checks import services
from checks.models import CheckRun, ScanJob
from checks.reporting import ANNOTATIONS_PER_REQUEST
from installations.models import Repository
from installations.sync import sync_installations
from tests.support.sandbox import check_runs_for, open_pull_request

pytestmark = pytest.mark.django_db

REPO = "payments-api"
SHELL = "subprocess.call(cmd, shell=True)"


@pytest.fixture
def org(synced):
    sync_installations()
    forget_write_budgets()
    return synced


def forget_write_budgets() -> None:
    """The sandbox reuses installation ids: no write budget left over from earlier tests
    (only those keys: the same Redis db holds the broker's bindings)."""
    from fortify_github.github.shared import redis_client

    client = redis_client()
    if client is None:
        return
    for pattern in ("*:prwrites:*", "*:throttle:*"):
        for key in client.scan_iter(match=pattern):
            client.delete(key)


def push(org, branch: str, files: dict) -> str:
    return org.state.push_commit("fortify-demo", REPO, branch, files)


def scan_branch(org, deliver, branch: str):
    """Open a PR from ``branch``, deliver the webhook, run the scan; (scan, run)."""
    payload = open_pull_request(org, "fortify-demo", REPO, branch)
    event = deliver("pull_request", payload)
    assert event.status == "completed", event.last_error
    scan = ScanJob.objects.get(pr_number=payload["number"],
                               head_sha=payload["pull_request"]["head"]["sha"])
    services.run_scan(scan.pk)
    scan.refresh_from_db()
    (run,) = check_runs_for(org, "fortify-demo", REPO, scan.head_sha)
    return scan, run


def vulnerable(extra: str = "") -> str:
    return f"import subprocess\n\n\ndef run(cmd):\n    {SHELL}{extra}\n"


def scan_page(client, scan) -> str:
    """The scan page as a member of the installation sees it (it is members only)."""
    from tests.support.people import make_member, make_user

    member = make_user(f"member-{scan.pk}")
    make_member(member, scan.installation, "member")
    client.force_login(member)
    return client.get(f"/scans/{scan.public_id}").content.decode()


def not_scanned(run) -> str:
    summary = run.output["summary"]
    assert "### Not scanned" in summary, summary
    return summary.split("### Not scanned", 1)[1]


# --- never pass what was not scanned ------------------------------------------------------

def test_file_padded_past_the_size_limit_is_listed_and_the_run_does_not_pass(org, deliver,
                                                                            client):
    padding = "#" + "x" * (2 * 1024 * 1024 + 100) + "\n"
    push(org, "attack/padded", {"payments/padded.py": vulnerable() + padding})
    scan, run = scan_branch(org, deliver, "attack/padded")

    assert run.conclusion != "success"
    assert run.conclusion == "neutral"
    assert "payments/padded.py" in not_scanned(run)
    assert "larger than the scan size limit" in not_scanned(run)
    assert run.output["title"].startswith("1 changed file not scanned")
    assert scan.unscanned_files == [
        {"path": "payments/padded.py", "reason": "too_large", "engine": ""}]
    page = scan_page(client, scan)
    assert "Not scanned (1)" in page and "larger than the scan size limit" in page


def test_file_the_primary_engine_cannot_parse_is_listed(org, deliver):
    push(org, "attack/modern", {"payments/modern.py": "type Cmd = str\n" + vulnerable()})
    scan, run = scan_branch(org, deliver, "attack/modern")

    assert run.conclusion != "success"
    assert {"path": "payments/modern.py", "reason": "unparseable", "engine": "bandit"} in \
        scan.unscanned_files
    assert "payments/modern.py" in not_scanned(run)
    assert "could not parse it (bandit)" in not_scanned(run)


def test_binary_blob_where_source_was_expected_is_listed(org, deliver):
    push(org, "attack/binary", {"payments/blob.py": b"\x00\x01ELF" + vulnerable().encode()})
    scan, run = scan_branch(org, deliver, "attack/binary")

    assert run.conclusion == "neutral"
    assert scan.unscanned_files == [
        {"path": "payments/blob.py", "reason": "binary", "engine": ""}]
    assert "binary content" in not_scanned(run)


def test_engine_timeout_lists_the_files_and_never_passes(org, deliver, settings):
    settings.SCAN_TIMEOUT_SECONDS = 0.001
    push(org, "attack/slow", {"payments/slow.py": vulnerable()})
    scan, run = scan_branch(org, deliver, "attack/slow")

    assert scan.status == ScanJob.Status.COMPLETED
    assert run.conclusion == "neutral"
    reasons = {(row["path"], row["reason"]) for row in scan.unscanned_files}
    assert ("payments/slow.py", "engine_timeout") in reasons
    assert "the engine timed out" in not_scanned(run)


def test_a_binary_asset_no_source_engine_reads_is_not_a_gap(org, deliver):
    push(org, "feature/asset", {"assets/font.bin": b"\x00\x01\x02" * 100,
                                "payments/util.py": "VALUE = 1\n"})
    scan, run = scan_branch(org, deliver, "feature/asset")
    assert scan.unscanned_files == []
    assert run.conclusion == "success"


def test_unscanned_files_fail_the_run_when_the_base_config_says_so(org, deliver):
    push(org, "main", {".fortify.yml": "unscanned_files: failure\n"})
    push(org, "attack/binary2", {"payments/blob.py": b"\x00" + vulnerable().encode()})
    _scan, run = scan_branch(org, deliver, "attack/binary2")
    assert run.conclusion == "failure"


# --- .fortify.yml from the base branch ----------------------------------------------------

def test_base_config_threshold_exclusions_and_disabled_rules_apply(org, deliver):
    push(org, "main", {".fortify.yml": (
        "version: 1\n"
        "failure_threshold: critical\n"
        "exclude: ['payments/generated/**']\n"
        "disable_rules: [B307]\n")})
    push(org, "feature/config", {
        "payments/jobs.py": vulnerable(),                        # HIGH: below critical
        "payments/generated/client.py": vulnerable(),            # excluded
        "payments/calc.py": "def calc(expr):\n    return eval(expr)\n",  # B307 disabled
    })
    scan, run = scan_branch(org, deliver, "feature/config")

    assert run.conclusion == "neutral"  # findings below the threshold
    paths = set(scan.findings.values_list("path", flat=True))
    assert paths == {"payments/jobs.py"}
    assert not scan.findings.filter(rule_id="B307").exists()
    assert scan.repo_config["failure_threshold"] == "CRITICAL"
    assert scan.repo_config["source"].startswith(".fortify.yml at ")


def test_pull_request_cannot_lower_its_own_bar(org, deliver):
    push(org, "attack/config", {
        ".fortify.yml": "failure_threshold: info\ndisable_rules: [B602]\n"
                        "exclude: ['**']\nsuppressions: allow\n",
        "payments/jobs.py": vulnerable(),
    })
    scan, run = scan_branch(org, deliver, "attack/config")

    assert run.conclusion == "failure"
    assert scan.findings.filter(cwe="CWE-78").exists()  # the command injection it tried to hide
    assert "takes effect after merge" in run.output["summary"]


@pytest.mark.parametrize(("content", "message"), [
    ("failure_threshold: severe\n", "failure_threshold: 'severe' is not one of"),
    ("exclude: [unclosed\n", "is not valid YAML at line"),
    ("colour: red\n", "Additional properties are not allowed"),
    ("max_annotations: -1\n", "max_annotations: -1 is less than the minimum of 0"),
    ("- just\n- a list\n", "top level: ['just', 'a list'] is not of type 'object'"),
])
def test_invalid_config_is_reported_in_the_run_and_the_defaults_apply(org, deliver, content,
                                                                      message):
    push(org, "main", {".fortify.yml": content})
    push(org, "feature/bad-config", {"payments/jobs.py": vulnerable()})
    scan, run = scan_branch(org, deliver, "feature/bad-config")

    assert run.status == "completed"
    assert run.conclusion == "failure"  # the default HIGH threshold still applies
    summary = run.output["summary"]
    assert ".fortify.yml is invalid" in summary
    plain = MarkdownIt("commonmark").render(summary)
    assert message.replace("'", "&#x27;") in plain or message in plain
    assert scan.repo_config["error"]


# --- suppressions -------------------------------------------------------------------------

def test_suppressions_added_by_the_pull_request_are_shown_and_counted(org, deliver, client):
    push(org, "attack/nosec", {
        "payments/jobs.py": vulnerable("  # nosec"),
        "payments/own.py": vulnerable("  # fortify: ignore B602 -- input is a constant"),
        "payments/keys.py": 'KEY = "AKIAIOSFODNN7EXAMPLE"  # pragma: allowlist secret\n',
    })
    scan, run = scan_branch(org, deliver, "attack/nosec")

    assert run.conclusion == "success"  # honoured by default...
    assert "3 suppressed in this pull request" in run.output["title"]  # ...but counted
    section = run.output["summary"].split("### Suppressed in this pull request (3)", 1)[1]
    assert "`payments/jobs.py:5` `B602`" in section and "`nosec`" in section
    assert "`payments/own.py:5` `B602`" in section and "input is a constant" in section
    assert "`payments/keys.py:1`" in section and "`allowlist secret`" in section
    assert len(scan.suppressions) == 3
    assert all(row["honoured"] and row["added_in_pr"] for row in scan.suppressions)
    assert scan.findings.count() == 0
    page = scan_page(client, scan)
    assert "Suppressed by inline comments (3)" in page and "input is a constant" in page


def test_suppressions_are_not_honoured_when_the_base_config_forbids_them(org, deliver):
    push(org, "main", {".fortify.yml": "suppressions: forbid\n"})
    push(org, "attack/nosec2", {"payments/jobs.py": vulnerable("  # nosec B602")})
    scan, run = scan_branch(org, deliver, "attack/nosec2")

    assert run.conclusion == "failure"
    # One finding of the command injection (Bandit's B602 and our taint rule merged).
    assert scan.findings.filter(cwe="CWE-78").count() == 1
    assert "not honoured" in run.output["summary"]
    assert run.annotations and run.annotations[0]["path"] == "payments/jobs.py"


def test_required_reason_honours_only_markers_with_rule_and_reason(org, deliver):
    push(org, "main", {".fortify.yml": "suppressions: require_reason\n"})
    push(org, "feature/reasons", {
        "payments/bare.py": vulnerable("  # nosec"),
        "payments/why.py": vulnerable("  # fortify: ignore B602 -- cmd is a constant"),
    })
    scan, _run = scan_branch(org, deliver, "feature/reasons")
    assert set(scan.findings.values_list("path", flat=True)) == {"payments/bare.py"}


# --- bounded cost -------------------------------------------------------------------------

def many_findings() -> dict[str, str]:
    """One file with 2,000 findings of one rule, and 60 files with 5 findings each."""
    files = {"payments/huge.py": "import subprocess\n" + "".join(
        f"subprocess.call(cmd{i}, shell=True)\n" for i in range(2000))}
    for number in range(60):
        files[f"payments/steps/step_{number}.py"] = "import subprocess\n" + "".join(
            f"subprocess.call(c{i}, shell=True)\n" for i in range(5))
    return files


def annotation_patches(org, run_id: int) -> list[int]:
    return [len(((entry.get("json") or {}).get("output") or {}).get("annotations") or [])
            for entry in org.state.requests
            if entry["method"] == "PATCH" and entry["path"].endswith(f"/check-runs/{run_id}")]


def test_thousands_of_findings_make_at_most_the_configured_annotations(org, deliver):
    push(org, "attack/flood", many_findings())
    scan, run = scan_branch(org, deliver, "attack/flood")

    assert scan.findings.count() == 2000 + 300
    assert len(run.annotations) == 200
    sizes = annotation_patches(org, run.id)
    assert sizes == [ANNOTATIONS_PER_REQUEST] * 4
    grouped = [a for a in run.annotations if a["path"] == "payments/huge.py"]
    assert len(grouped) == 1 and "(2000 occurrences in this file)" in grouped[0]["title"]
    assert "Annotations: 200 of 301 shown; the other 101 are listed below" in \
        run.output["summary"]
    assert "2300 security issues" in run.output["summary"]
    assert CheckRun.objects.get(scan=scan).annotations_sent == 200


def test_one_pull_request_keeps_within_its_share_of_the_write_budget(org, deliver, settings):
    from checks import write_budget

    # Without a share, the flood's 7 annotation batches, create and complete would take all
    # 8 of the installation's writes this minute and the next PR would wait for its run.
    settings.GITHUB_CONTENT_REQUESTS_PER_MINUTE = 8
    settings.GITHUB_RATE_LIMIT_MAX_WAIT = 0  # any throttle wait fails the delivery instead
    settings.SCAN_PR_WRITE_SHARE = 0.25
    push(org, "main", {".fortify.yml": "max_annotations: 1000\n"})
    push(org, "attack/flood", many_findings())
    scan, run = scan_branch(org, deliver, "attack/flood")

    allowance = write_budget.allowance(8)
    assert write_budget.used(scan.installation.installation_id, scan.repository_id,
                             scan.pr_number) <= allowance + 1  # + the completing request
    assert len(run.annotations) < 301
    assert f"Annotations: {len(run.annotations)} of 301 shown" in run.output["summary"]

    push(org, "feature/innocent", {"README.md": "docs\n"})
    payload = open_pull_request(org, "fortify-demo", REPO, "feature/innocent")
    assert deliver("pull_request", payload).status == "completed"
    (second,) = check_runs_for(org, "fortify-demo", REPO, payload["pull_request"]["head"]["sha"])
    assert second.status == "in_progress"


def test_superseded_scan_stops_before_its_next_github_request(org, deliver):
    payload = open_pull_request(org, "fortify-demo", REPO, "vuln/sql-injection")
    deliver("pull_request", payload)
    scan = ScanJob.objects.get(pr_number=payload["number"])
    ScanJob.objects.filter(pk=scan.pk).update(status=ScanJob.Status.RUNNING)
    blobs_before = len(org.state.requests_to("GET", "/repos/*/git/blobs/*"))
    fetcher = services.GitHubFetcher(
        services._client(scan), "fortify-demo", REPO, cancelled=lambda: True)
    from checks.agent import ScanCancelled

    with pytest.raises(ScanCancelled):
        fetcher.changed_files(scan.pr_number, scan.base_sha, scan.head_sha)
    assert len(org.state.requests_to("GET", "/repos/*/git/blobs/*")) == blobs_before


def test_a_300_file_pull_request_is_fetched_in_a_few_requests(org, deliver):
    files = {f"src/module_{number}.py": f"VALUE_{number} = {number}\n"
             for number in range(300)}
    push(org, "feature/wide", files)
    before = len(org.state.requests)
    scan, run = scan_branch(org, deliver, "feature/wide")

    ours = [entry for entry in org.state.requests[before:]
            if entry["path"].startswith("/repos/")]
    fetches = [entry for entry in ours if "/git/blobs/" in entry["path"]
               or "/tarball" in entry["path"] or "/pulls/" in entry["path"]]
    assert run.conclusion == "success"
    assert scan.files_scanned == 300
    assert len(fetches) <= 6, [entry["path"] for entry in fetches]
    assert not any("/git/blobs/" in entry["path"] for entry in fetches)


def test_a_repository_too_large_for_its_archive_is_fetched_file_by_file(org, deliver, settings):
    """The archive holds the whole repository: for a monorepo, twenty blob requests cost far
    less than downloading it. GitHub's ``repository.size`` in the event decides."""
    settings.SCAN_TARBALL_MAX_KB_PER_FILE = 1  # 20 files may bring a 20 KB repository
    files = {f"src/module_{number}.py": f"VALUE_{number} = {number}\n" + "# padding\n" * 300
             for number in range(20)}
    push(org, "main", files)
    push(org, "feature/monorepo", edited_at_the_end(files))
    before = len(org.state.requests)
    scan, run = scan_branch(org, deliver, "feature/monorepo")

    assert scan.repository.size_kb > 20, "the event's repository.size was recorded"
    paths = [entry["path"] for entry in org.state.requests[before:]]
    assert run.conclusion == "success" and scan.files_scanned == 20
    assert not any("/tarball" in path for path in paths)
    assert len([path for path in paths if "/git/blobs/" in path]) == 20


def test_a_repository_of_many_small_files_is_fetched_file_by_file_once_its_count_is_known(
        org, deliver, settings):
    """GitHub's size undercounts a repository of many small files, and its archive holds
    every one of them: the first archive read records the count, and the next 20-file pull
    request fetches its files one blob each instead."""
    settings.SCAN_TARBALL_MAX_FILES_PER_FILE = 2  # 20 files may bring an archive of 40
    modules = {f"src/module_{number}.py": "".join(f"VALUE_{line} = {number}\n"
                                                  for line in range(10))
               for number in range(20)}
    push(org, "main", {**modules, **{f"docs/note_{number}.txt": "x\n" for number in range(40)}})
    known = Repository.objects.filter(full_name=f"fortify-demo/{REPO}").first()
    assert known is None or known.file_count is None

    def twenty_file_pull_request(branch):
        push(org, branch, edited_at_the_end(modules, branch))
        before = len(org.state.requests)
        scan, run = scan_branch(org, deliver, branch)
        assert run.conclusion == "success" and scan.files_scanned == 20
        return [entry["path"] for entry in org.state.requests[before:]]

    first = twenty_file_pull_request("feature/first")
    assert any("/tarball" in path for path in first), "an unknown count counts as small"
    recorded = Repository.objects.get(full_name=f"fortify-demo/{REPO}").file_count
    assert recorded is not None and recorded > 40, recorded  # the head's files, all of them

    second = twenty_file_pull_request("feature/second")
    assert not any("/tarball" in path for path in second)
    assert len([path for path in second if "/git/blobs/" in path]) == 20


def edited_at_the_end(files: dict[str, str], tag: str = "edited") -> dict[str, str]:
    """The files with a line added at the end: their patches hold only their last lines,
    so the scan must fetch them from GitHub."""
    return {path: f"{text}# {tag}\n" for path, text in files.items()}


def test_files_a_pull_request_adds_are_read_from_their_patches(org, deliver):
    """An added file's patch holds all of it, checked against its blob hash: no blob or
    archive request, and the same verdict and annotation."""
    files = {f"src/added_{number}.py": vulnerable() if number == 2 else f"VALUE = {number}\n"
             for number in range(25)}
    push(org, "feature/added", files)
    before = len(org.state.requests)
    scan, run = scan_branch(org, deliver, "feature/added")

    paths = [entry["path"] for entry in org.state.requests[before:]]
    assert not any("/git/blobs/" in path or "/tarball" in path for path in paths), paths
    assert scan.files_scanned == 25 and run.conclusion == "failure"
    assert {(a["path"], a["start_line"]) for a in run.annotations} >= {("src/added_2.py", 5)}


def test_which_fetch_a_pull_request_uses():
    from checks.fetch import MAX_BLOB_REQUESTS, GitHubFetcher

    def fetcher(size_kb, files=None):
        return GitHubFetcher(None, "o", "r", tarball_min_files=20, tarball_max_kb_per_file=256,
                             tarball_max_files_per_file=200, repository_size_kb=size_kb,
                             repository_files=files)

    assert not fetcher(None).uses_archive(19), "a small pull request: one blob each"
    assert fetcher(None).uses_archive(20), "an unknown size counts as small"
    assert fetcher(5_120).uses_archive(20) and not fetcher(5_121).uses_archive(20)
    assert fetcher(51_200).uses_archive(200)
    assert fetcher(10_000_000).uses_archive(MAX_BLOB_REQUESTS + 1), \
        "past the request budget the archive is taken whatever its size"
    assert fetcher(100, files=4_000).uses_archive(20)
    assert not fetcher(100, files=4_001).uses_archive(20), "many small files: one blob each"
    assert not fetcher(None, files=10_000).uses_archive(20)
    assert not fetcher(6_000, files=10).uses_archive(20), "either measure can say no"
    assert fetcher(100, files=1_000_000).uses_archive(MAX_BLOB_REQUESTS + 1)


# --- output that cannot be hijacked -------------------------------------------------------

def test_path_with_markdown_metacharacters_renders_as_text(org, deliver):
    path = "payments/[approved](https:evil.example) ``x` <b>.py"
    push(org, "attack/markdown", {path: b"\x00binary"})
    _scan, run = scan_branch(org, deliver, "attack/markdown")

    html = MarkdownIt("commonmark").render(run.output["summary"])
    assert "<a href=\"https:evil.example\"" not in html
    assert "<b>" not in html
    assert "[approved](https:evil.example) ``x` &lt;b&gt;.py</code>" in html


# --- source code not cached in plain text -------------------------------------------------

def test_no_blob_content_in_redis_after_a_scan(org, deliver, settings):
    from fortify_github.github.shared import redis_client

    canary = "FORTIFY_CANARY_7f3a9c"
    content = vulnerable(f"  # {canary}")
    push(org, "feature/canary", {"payments/canary.py": content})
    _scan, run = scan_branch(org, deliver, "feature/canary")
    assert run.annotations  # the file was fetched and scanned

    client = redis_client()
    assert client is not None, "this test needs REDIS_URL"
    needles = [canary.encode(), base64.b64encode(content.encode())[:40]]
    keys = list(client.scan_iter(count=1000))
    assert keys
    for key in keys:
        kind = client.type(key)
        if kind == b"string":
            values = [client.get(key)]
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"hash":
            values = [*client.hgetall(key).values()]
        elif kind == b"set":
            values = list(client.smembers(key))
        elif kind == b"zset":
            values = [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        else:
            values = []
        for value in values:
            for needle in needles:
                assert needle not in (value or b""), key


# --- annotations exactly once -------------------------------------------------------------

def test_a_report_retried_after_a_lost_answer_never_duplicates_annotations(org, deliver):
    files = {f"payments/steps/step_{number}.py": "import subprocess\n" + "".join(
        f"subprocess.call(c{i}, shell=True)\n" for i in range(5)) for number in range(12)}
    push(org, "feature/retry", files)
    payload = open_pull_request(org, "fortify-demo", REPO, "feature/retry")
    deliver("pull_request", payload)
    scan = ScanJob.objects.get(pr_number=payload["number"])
    # The first annotation batch is applied, but its answer is lost.
    org.state.faults.add("PATCH", "/repos/fortify-demo/payments-api/check-runs/*", "drop",
                         times=1, delay=3)
    from django.test import override_settings

    from fortify_github.github.errors import Unavailable

    with override_settings(GITHUB_HTTP_READ_TIMEOUT=1), pytest.raises(Unavailable):
        services.run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.status == ScanJob.Status.COMPLETED  # scanned: only the report is retried
    services.run_scan(scan.pk)  # the task's retry, with no attempt counted

    (run,) = check_runs_for(org, "fortify-demo", REPO, scan.head_sha)
    assert run.status == "completed"
    assert len(run.annotations) == 60
    keys = [(a["path"], a["start_line"]) for a in run.annotations]
    assert len(keys) == len(set(keys)), "no annotation sent twice"
