"""Pull requests at scale, through the production shape: feedback latency by PR size and
repository size, GitHub API cost per PR, and a burst of pull requests at once.

Starts gunicorn, Celery workers, PostgreSQL, Redis and the GitHub sandbox (see
``production_shape.py``); creates an organization with a 10-file and a 10,000-file repository
and installs the App on it (the product learns of it from the ``installation`` webhook); then
opens pull requests on the sandbox and reads the sandbox's request log, where every request
the product sends is time-stamped as it arrives. Prints what it measured; asserts nothing.

    .venv/bin/python -m benchmarks.pr_scale                  # sizes, cost and a burst of 200
    .venv/bin/python -m benchmarks.pr_scale --burst 50 --skip-sizes
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from benchmarks.production_shape import ProductionShape, wait_for

ORG = "bench-org"
VULNERABLE = ("import subprocess\n\n\ndef run(cmd):\n"
              "    return subprocess.call(cmd, shell=True)\n")
#: The base branch's modules: ten lines each, so a change appended to one is a hunk that starts
#: below its first line and the product must read the file from GitHub (not from the patch).
BASE_MODULE = "".join(f"STEP_{line} = {line}\n" for line in range(10))
#: Modules of the 10-file repository, all of which the "edit" pull requests change.
EDITED = 9
PERMISSIONS = {"administration": "write", "checks": "write", "contents": "read",
               "metadata": "read", "pull_requests": "write"}
# What GitHub counts against its secondary limit on content creation.
CONTENT_CREATING = ("POST", "PATCH", "PUT", "DELETE")


@dataclass
class Run:
    """One check run the product created, as the sandbox saw it."""

    head_sha: str
    repo: str
    created_at: float
    run_id: int | None
    completed_at: float | None = None


@dataclass
class Sandbox:
    """The sandbox's control API and its request log, read incrementally and kept small."""

    url: str
    log: list[dict] = field(default_factory=list)
    runs: dict[int, Run] = field(default_factory=dict)
    creates: Counter = field(default_factory=Counter)  # head sha -> check runs created

    def call(self, method: str, *args, **kwargs):
        reply = requests.post(f"{self.url}/_sandbox/call", timeout=300,
                              json={"method": method, "args": list(args), "kwargs": kwargs})
        reply.raise_for_status()
        return reply.json()["result"]

    def refresh(self) -> None:
        new = requests.get(f"{self.url}/_sandbox/requests",
                           params={"since": len(self.log)}, timeout=120).json()
        for entry in new:
            body, response = entry.pop("json", None) or {}, entry.pop("response", None) or {}
            entry.pop("headers", None)
            path = entry["path"]
            if "/check-runs" in path and isinstance(body, dict):
                repo = path.split("/")[3] if path.startswith("/repos/") else ""
                if entry["method"] == "POST" and entry["status"] == 201:
                    run = Run(body.get("head_sha", ""), repo, entry["at"],
                              response.get("id") if isinstance(response, dict) else None)
                    self.creates[run.head_sha] += 1
                    if run.run_id:
                        self.runs[run.run_id] = run
                elif (entry["method"] == "PATCH" and entry["status"] < 300
                      and body.get("status") == "completed"):
                    run_id = int(path.rsplit("/", 1)[-1])
                    if run_id in self.runs and self.runs[run_id].completed_at is None:
                        self.runs[run_id].completed_at = entry["at"]
        self.log.extend(new)

    def run_for(self, head_sha: str) -> Run | None:
        return next((run for run in self.runs.values() if run.head_sha == head_sha), None)


def endpoint(entry: dict) -> str:
    """``METHOD /repos/{owner}/{repo}/…`` with ids, shas and paths folded."""
    path = re.sub(r"^/repos/[^/]+/[^/]+", "/repos/{o}/{r}", entry["path"])
    path = re.sub(r"/contents/.*", "/contents/{path}", path)
    path = re.sub(r"/[0-9a-f]{40}", "/{sha}", path)
    path = re.sub(r"/\d+", "/{id}", path)
    return f"{entry['method']} {path}"


def python_files(count: int, prefix: str, content: str) -> dict[str, str]:
    return {f"{prefix}/module_{index:05d}.py": content for index in range(count)}


def same_pull_request(kind: str, attempt: int) -> dict[str, str]:
    """The 20 files of the size comparison's pull request: ``add`` adds them all; ``edit``
    appends the vulnerable lines to the ``EDITED`` modules both repositories share, and adds
    the rest."""
    if kind == "add":
        return python_files(20, f"same{attempt}", VULNERABLE)
    edited = {path: f"{BASE_MODULE}{VULNERABLE}# edit {attempt} of {path}\n"  # a blob each
              for path in python_files(EDITED, "src", "")}
    return {**edited, **python_files(20 - EDITED, f"edit{attempt}", VULNERABLE)}


@dataclass
class Measured:
    first: float
    verdict: float
    calls: Counter


def open_and_measure(sandbox: Sandbox, repo: str, branch: str, files: dict[str, str]
                     ) -> Measured:
    """Push ``files`` on ``branch``, open its PR, wait for the verdict, and count what the
    product asked GitHub in between (installation-token requests only)."""
    sandbox.call("push_commit", ORG, repo, branch, files, notify=False)
    sandbox.refresh()
    start = len(sandbox.log)
    opened = time.time()
    head = sandbox.call("open_pull_request", ORG, repo, branch)["head"]["sha"]

    def verdict() -> Run | None:
        sandbox.refresh()
        run = sandbox.run_for(head)
        return run if run and run.completed_at else None

    run = wait_for(verdict, 900, f"the verdict on {repo}:{branch}")
    window = [entry for entry in sandbox.log[start:] if entry["at"] <= run.completed_at
              and entry.get("caller") == "installation"]
    return Measured(run.created_at - opened, run.completed_at - opened,
                    Counter(endpoint(entry) for entry in window))


def burst(sandbox: Sandbox, repo: str, count: int) -> None:
    """``count`` pull requests opened at once; every one must get exactly one completed run."""
    branches = [f"burst/{index}" for index in range(count)]
    for index, branch in enumerate(branches):
        sandbox.call("push_commit", ORG, repo, branch,
                     {f"burst/change_{index}.py": VULNERABLE}, notify=False)
    sandbox.refresh()
    start = len(sandbox.log)
    opened = time.time()
    with ThreadPoolExecutor(max_workers=16) as pool:
        heads = list(pool.map(lambda b: sandbox.call("open_pull_request", ORG, repo, b)
                              ["head"]["sha"], branches))
    print(f"  opened {count} pull requests in {time.time() - opened:.1f} s")

    def all_done() -> bool:
        sandbox.refresh()
        return all((run := sandbox.run_for(head)) and run.completed_at for head in heads)

    deadline = time.monotonic() + max(600, count * 10)
    while time.monotonic() < deadline and not all_done():
        time.sleep(1)
    runs = [sandbox.run_for(head) for head in heads]
    completed = [run for run in runs if run and run.completed_at]
    first = [run.created_at - opened for run in runs if run]
    duplicates = sum(1 for head in heads if sandbox.creates[head] > 1)
    per_minute: dict[int, int] = defaultdict(int)
    for entry in sandbox.log[start:]:
        if entry["method"] in CONTENT_CREATING and entry.get("caller") == "installation":
            per_minute[int(entry["at"] // 60)] += 1
    if completed:
        last = max(run.completed_at for run in completed) - opened
        print(f"  all runs completed {last:.1f} s after the first PR was opened"
              if len(completed) == count else
              f"  {len(completed)} of {count} runs completed within the wait "
              f"(last at {last:.1f} s)")
    if first:
        print(f"  in_progress run after delivery: median {statistics.median(first):.2f} s, "
              f"p95 {percentile(first, 95):.2f} s, max {max(first):.2f} s")
    print(f"  lost (no run or never completed): {count - len(completed)}; "
          f"duplicate runs: {duplicates}; content-creating requests in the busiest minute: "
          f"{max(per_minute.values(), default=0)} (GitHub's secondary limit: 80/min)")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def print_cost(label: str, calls: Counter) -> None:
    total = sum(calls.values())
    top = ", ".join(f"{name} x{count}" for name, count in calls.most_common(6))
    print(f"  {label}: {total} requests — {top}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=200, help="pull requests opened at once")
    parser.add_argument("--skip-sizes", action="store_true", help="only the burst")
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5,
                        help="pull requests per repository in the repository-size comparison")
    args = parser.parse_args()

    shape = ProductionShape(celery_workers=args.celery_workers).start()
    sandbox = Sandbox(shape.sandbox_url)
    try:
        sandbox.call("create_org", ORG, admins=["octocat"])
        base = {"README.md": "bench\n"}
        sandbox.call("create_repository", ORG, "app-10",
                     files={**base, **python_files(9, "src", BASE_MODULE)}, language="Python")
        sandbox.call("create_repository", ORG, "app-10000",
                     files={**base, **python_files(9999, "src", BASE_MODULE)},
                     language="Python")
        installed_at = time.time()
        sandbox.call("create_installation", ORG, permissions=PERMISSIONS)
        print(f"production shape: gunicorn -w 2, {args.celery_workers} Celery worker(s) "
              "(concurrency 2), PostgreSQL, Redis, the sandbox as GitHub")
        # Warm-up, not measured: the installation reaches the product, workers load engines.
        warm = open_and_measure(sandbox, "app-10", "warm-up", {"warm/a.py": VULNERABLE})
        print(f"warm-up PR (not counted): verdict after {warm.verdict:.1f} s")
        if not args.skip_sizes:
            print("feedback by pull request size (repository of 10 files):")
            print(f"  {'changed files':>14} {'in_progress s':>14} {'verdict s':>10} "
                  f"{'API requests':>13}")
            costs = {}
            for size in (1, 20, 200):
                measured = open_and_measure(sandbox, "app-10", f"size/{size}",
                                            python_files(size, f"pr{size}", VULNERABLE))
                costs[f"{size}-file PR"] = measured.calls
                print(f"  {size:>14} {measured.first:14.2f} {measured.verdict:10.2f} "
                      f"{sum(measured.calls.values()):13}")
            for kind, what in (("add", "adds its 20 files"),
                               ("edit", f"edits {EDITED} files of the base branch and adds "
                                        f"{20 - EDITED}")):
                print(f"the same 20-file pull request by repository size, a PR that {what} "
                      f"({args.repeat} PRs each, the two repositories alternating; median, "
                      "then every verdict):")
                samples: dict[str, list[Measured]] = defaultdict(list)
                for attempt in range(args.repeat):
                    for repo in ("app-10", "app-10000"):
                        samples[repo].append(open_and_measure(
                            sandbox, repo, f"{kind}/20-{attempt}",
                            same_pull_request(kind, attempt)))
                for repo, measured_list in samples.items():
                    # The first PR's fetch can differ from the later ones' (a repository's
                    # file count is known once an archive of it was read): both are shown.
                    label = f"20-file PR ({kind}) in {repo}"
                    costs[f"{label}, the first"] = measured_list[0].calls
                    if measured_list[-1].calls != measured_list[0].calls:
                        costs[f"{label}, the last"] = measured_list[-1].calls
                    firsts = [measured.first for measured in measured_list]
                    verdicts = [measured.verdict for measured in measured_list]
                    print(f"  {repo:>14} {statistics.median(firsts):14.2f} "
                          f"{statistics.median(verdicts):10.2f} "
                          f"{sum(measured_list[-1].calls.values()):13}   verdicts in order "
                          + " ".join(f"{verdict:.2f}" for verdict in verdicts))
            print("GitHub API requests per pull request, by endpoint:")
            for label, calls in costs.items():
                print_cost(label, calls)
        print(f"burst: {args.burst} pull requests at once, {args.celery_workers} workers:")
        burst(sandbox, "app-10", args.burst)
        sandbox.refresh()
        tokens = [entry for entry in sandbox.log if entry["method"] == "POST"
                  and entry["path"].endswith("/access_tokens")]
        print(f"installation tokens requested: {len(tokens)} for 1 installation in "
              f"{(time.time() - installed_at) / 60:.1f} min of steady use (a token lives "
              "1 hour and is shared by every process until 5 minutes before it expires)")
    finally:
        shape.stop()


if __name__ == "__main__":
    main()
