"""A GitHub person new to Fortify, with a vulnerable repository, on a sandbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from github_sandbox.seed import SEED_DATA, read_tree

NEW_VULNERABILITY = '''"""Run reports."""
import subprocess


def run_report(name):
    return subprocess.call("generate-report " + name, shell=True)
'''


@dataclass
class Newcomer:
    login: str
    repo: str

    @property
    def full_name(self) -> str:
        return f"{self.login}/{self.repo}"


def newcomer(sandbox, *, repo: str = "shop-api") -> Newcomer:
    """A user account (unique login) owning a private repository whose default branch holds
    vulnerable code and whose ``vuln/report-shell`` branch adds more; no App installed."""
    login = f"dev-{uuid.uuid4().hex[:8]}"
    state = sandbox.state
    state.create_user(login, name="Dana Developer", email=f"{login}@example.com")
    root = SEED_DATA / "payments-api"
    files = {**read_tree(root / "main"), **read_tree(root / "vuln__sql-injection")}
    state.create_repository(login, repo, files=files, language="Python",
                            branches={"vuln/report-shell":
                                      {"payments/reports.py": NEW_VULNERABILITY}})
    return Newcomer(login=login, repo=repo)
