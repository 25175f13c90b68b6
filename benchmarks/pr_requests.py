"""GitHub requests per pull request: what one PR scan costs the installation's budget.

Starts the GitHub sandbox in this process, runs the real service code (embedded defaults:
SQLite and the database cache in a temporary directory, scans run inline), opens pull
requests of growing size, and counts from the sandbox's request log every request Fortify
sent for each: reads (PR files, config, blobs or the archive) and writes (check run create
and updates). Prints a table; asserts nothing.

    .venv/bin/python benchmarks/pr_requests.py
    .venv/bin/python benchmarks/pr_requests.py --sizes 1 20 300 --findings-per-file 3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(var_dir: str) -> None:
    """Embedded defaults in a throwaway directory; Celery tasks run inline."""
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "fortify_github.settings",
                       "DJANGO_DEBUG": "true", "FORTIFY_VAR_DIR": var_dir,
                       "GITHUB_WEBHOOK_SECRET": "benchmark-secret"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.CELERY_TASK_ALWAYS_EAGER = True
    from fortify_github.celery import app

    app.conf.task_always_eager = True
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def point_at(sandbox) -> None:
    from django.conf import settings

    env = sandbox.env()
    settings.GITHUB_API_URL = env["GITHUB_API_URL"]
    settings.GITHUB_WEB_URL = env["GITHUB_WEB_URL"]
    settings.GITHUB_APP_ID = env["GITHUB_APP_ID"]
    settings.GITHUB_APP_SLUG = env["GITHUB_APP_SLUG"]
    settings.GITHUB_APP_PRIVATE_KEY = ""
    settings.GITHUB_APP_PRIVATE_KEY_PATH = env["GITHUB_APP_PRIVATE_KEY_PATH"]


def files_for(size: int, findings_per_file: int, tag: str) -> dict[str, tuple[str, str]]:
    """``size`` files of their own (``tag`` in path and text: no blob is shared with another
    PR's), each as (a head of ten lines, the vulnerable lines that follow)."""
    body = "".join(f"subprocess.call(cmd{i}, shell=True)\n" for i in range(findings_per_file))
    return {f"{tag}/module_{number}.py":
            ("import subprocess\n" + "".join(f"STEP_{line} = {line}\n" for line in range(8))
             + f"VALUE = {number}  # {tag}\n", body)
            for number in range(size)}


def measure(sandbox, size: int, findings_per_file: int, *, edit: bool
            ) -> tuple[str, dict[str, str], dict[str, int]]:
    """Open a pull request of ``size`` files and count its scan's requests; (branch, the
    PR's files, row). ``edit``: each file's first ten lines exist on the base branch and the
    PR adds the vulnerable lines after them, so the patches do not hold the files; else the
    PR adds the files."""
    state = sandbox.state
    branch = f"bench/{'edit' if edit else 'add'}-{size}-{len(state.requests)}"
    parts = files_for(size, findings_per_file, branch)
    if edit:
        state.push_commit("fortify-demo", "payments-api", "main",
                          {path: head for path, (head, _) in parts.items()}, notify=False)
    files = {path: head + body for path, (head, body) in parts.items()}
    state.push_commit("fortify-demo", "payments-api", branch, files, notify=False)
    state.open_pull_request("fortify-demo", "payments-api", branch)
    return branch, files, scan_and_count(sandbox, "opened", size)


def measure_push(sandbox, branch: str, files: dict[str, str], size: int) -> dict[str, int]:
    """Push a change at the end of one file of the pull request on ``branch``; count the new
    scan's requests (its other files' blobs were read by the first scan)."""
    path, text = next(iter(files.items()))
    sandbox.state.push_commit("fortify-demo", "payments-api", branch,
                              {path: f"{text}# changed again\n"})
    return scan_and_count(sandbox, "synchronize", size)


def scan_and_count(sandbox, action: str, size: int) -> dict[str, int]:
    from django.conf import settings

    from checks import services
    from checks.models import ScanJob

    state = sandbox.state
    payload = next(json.loads(delivery.payload) for delivery in reversed(state.deliveries)
                   if delivery.event == "pull_request" and delivery.action == action)
    pull = payload["pull_request"]
    before = len(state.requests)
    services.scan_pull_request(payload)
    scan = ScanJob.objects.get(pr_number=pull["number"], head_sha=pull["head"]["sha"])
    if scan.status != ScanJob.Status.COMPLETED:
        services.run_scan(scan.pk)
    agent = settings.GITHUB_USER_AGENT
    ours = [entry for entry in state.requests[before:]
            if entry.get("headers", {}).get("User-Agent", "").startswith(agent)
            and entry["path"].startswith("/repos/")]
    writes = [entry for entry in ours if entry["method"] in ("POST", "PATCH")]
    content = [entry for entry in ours if "/git/blobs/" in entry["path"]
               or "/tarball" in entry["path"]]
    scan.refresh_from_db()
    return {"files": size, "requests": len(ours), "reads": len(ours) - len(writes),
            "content": len(content), "writes": len(writes),
            "findings": scan.findings.count(),
            "annotations": scan.check_run.annotations_sent}


def print_row(row: dict[str, int]) -> None:
    print(f"{row['files']:>6} {row['requests']:>9} {row['reads']:>6} {row['content']:>9} "
          f"{row['writes']:>7} {row['findings']:>9} {row['annotations']:>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 19, 20, 100, 300])
    parser.add_argument("--findings-per-file", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fortify-bench-") as var_dir:
        configure(var_dir)
        from github_sandbox.server import SandboxServer
        from installations.sync import sync_installations

        sandbox = SandboxServer().start()
        try:
            point_at(sandbox)
            sync_installations()
            for edit in (False, True):
                print("pull requests that " + ("edit files of the base branch (lines added "
                                               "after their first ten)" if edit
                                               else "add their files"))
                print(f"{'files':>6} {'requests':>9} {'reads':>6} {'blob/tar':>9} "
                      f"{'writes':>7} {'findings':>9} {'annotations':>12}")
                opened = {}
                for size in args.sizes:
                    branch, files, row = measure(sandbox, size, args.findings_per_file,
                                                 edit=edit)
                    opened[size] = (branch, files)
                    print_row(row)
                print("then a push changing one file of each:")
                for size, (branch, files) in opened.items():
                    print_row(measure_push(sandbox, branch, files, size))
        finally:
            sandbox.stop()


if __name__ == "__main__":
    main()
