"""PR feedback latency: from a pull request opened on the GitHub sandbox to Fortify's
``in_progress`` check run (first feedback) and to its verdict, through the real service.

Starts ``bin/run`` (web, worker and sandbox) on free ports, opens pull requests from the
seeded branches one after another, and reads the sandbox's request log (timestamps taken by
the sandbox as each request arrives). Prints what it measured; asserts nothing.

    .venv/bin/python benchmarks/pr_feedback.py                 # embedded defaults
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fortify_bench \\
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python benchmarks/pr_feedback.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BRANCHES = [
    ("payments-api", "vuln/sql-injection"),
    ("payments-api", "feature/clean-change"),
    ("web-frontend", "vuln/eval-injection"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def check_run_requests(sandbox: str, repo: str) -> list[dict]:
    entries = requests.get(f"{sandbox}/_sandbox/requests", timeout=10).json()
    return [entry for entry in entries
            if entry["path"].startswith(f"/repos/fortify-demo/{repo}/check-runs")
            and entry["method"] in ("POST", "PATCH") and entry["status"] < 300]


def call(sandbox: str, method: str, *args) -> dict:
    reply = requests.post(f"{sandbox}/_sandbox/call", timeout=10,
                          json={"method": method, "args": list(args)})
    reply.raise_for_status()
    return reply.json()["result"]


def measure(sandbox: str, repo: str, branch: str, round_: int) -> tuple[float, float, int]:
    """Open a PR whose head is the seeded branch plus one commit, so every round is a new
    commit (a new check run), with the same vulnerable changes."""
    head = f"bench/{branch}/{round_}"
    call(sandbox, "create_branch", "fortify-demo", repo, head, branch)
    call(sandbox, "push_commit", "fortify-demo", repo, head,
         {"BENCHMARK.md": f"round {round_}\n"})
    opened_at = time.time()
    head_sha = call(sandbox, "open_pull_request", "fortify-demo", repo, head)["head"]["sha"]

    def created():
        return next((entry for entry in check_run_requests(sandbox, repo)
                     if entry["method"] == "POST"
                     and (entry.get("json") or {}).get("head_sha") == head_sha), None)

    create = wait_for(created, 60, "the in-progress check run")
    run_id = create["response"]["id"]

    def completed():
        return next((entry for entry in check_run_requests(sandbox, repo)
                     if entry["method"] == "PATCH" and entry["path"].endswith(f"/{run_id}")
                     and (entry.get("json") or {}).get("status") == "completed"), None)

    done = wait_for(completed, 300, "the verdict")
    patches = [entry for entry in check_run_requests(sandbox, repo)
               if entry["method"] == "PATCH" and entry["path"].endswith(f"/{run_id}")]
    return create["at"] - opened_at, done["at"] - opened_at, 1 + len(patches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="pull requests per branch")
    args = parser.parse_args()

    port, sandbox_port = free_port(), free_port()
    workdir = Path(tempfile.mkdtemp(prefix="fortify-bench-"))
    operator_token = secrets.token_urlsafe(24)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GITHUB_", "DJANGO_", "TOKEN_", "FORTIFY_"))}
    env.update({"PORT": str(port), "SANDBOX_PORT": str(sandbox_port),
                "FORTIFY_VAR_DIR": str(workdir / "var"),
                "FORTIFY_PUBLIC_URL": f"http://127.0.0.1:{port}",
                # /health?worker=1 (a round trip through the worker) is for operators only.
                "METRICS_BEARER_TOKEN": operator_token})
    log = (workdir / "run.log").open("w")
    service = subprocess.Popen([str(ROOT / "bin" / "run")], cwd=ROOT, env=env, stdout=log,  # noqa: S603 - our own script
                               stderr=subprocess.STDOUT, start_new_session=True)
    url, sandbox = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    try:
        wait_for(lambda: requests.get(
            f"{url}/health?worker=1", timeout=10,
            headers={"Authorization": f"Bearer {operator_token}"}).ok, 180, "the service")
        backend = "PostgreSQL + Redis" if env.get("REDIS_URL") else "embedded defaults"
        print(f"PR feedback latency through bin/run ({backend}); "
              f"{args.rounds} PR(s) per branch, opened one at a time")
        print(f"{'repository/branch':45} {'first feedback s':>17} {'verdict s':>10} "
              f"{'check-run requests':>19}")
        firsts, verdicts = [], []
        for repo, branch in BRANCHES:
            for round_ in range(args.rounds):
                first, verdict, calls = measure(sandbox, repo, branch, round_)
                firsts.append(first)
                verdicts.append(verdict)
                print(f"{repo + ' ' + branch:45} {first:17.3f} {verdict:10.3f} {calls:19d}")
        print(f"first feedback: median {statistics.median(firsts):.3f} s, "
              f"max {max(firsts):.3f} s; verdict: median {statistics.median(verdicts):.3f} s, "
              f"max {max(verdicts):.3f} s ({len(firsts)} pull requests)")
    finally:
        os.killpg(service.pid, signal.SIGTERM)
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(service.pid, signal.SIGKILL)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
