"""Demo data: octocat, the fortify-demo org, two installations, repositories with vulnerable
branches (files under `seed_data/`), and branch protection on payments-api's main."""

from __future__ import annotations

from pathlib import Path

from .state import GitHubState

SEED_DATA = Path(__file__).with_name("seed_data")
OTHER_CI_APP_ID = 15368  # GitHub Actions' app id: the "ci/build" check another app reports
ORG_PERMISSIONS = {
    "administration": "write", "checks": "write", "contents": "read", "metadata": "read",
    "pull_requests": "write",
}
REPOSITORIES = [
    # (owner, name, language, description)
    ("fortify-demo", "payments-api", "Python", "Card payments and monthly statements"),
    ("fortify-demo", "web-frontend", "JavaScript", "Customer dashboard"),
    ("fortify-demo", "inventory-service", "Go", "Stock levels per SKU"),
    ("octocat", "hello-world", "Python", "My first repository"),
]


def read_tree(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): p.read_text()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def seed(state: GitHubState) -> None:
    """Fill an empty state; sends no webhooks (nothing is listening yet)."""
    state.create_user("octocat", name="The Octocat", email="octocat@example.com")
    state.create_user("mona-contrib", name="Mona Contributor", email="mona@example.com")
    if "fortify-demo" not in state.accounts:
        state.create_org("fortify-demo", admins=("octocat",), name="Fortify Demo Corp")
    else:
        state.accounts["fortify-demo"].admins.add("octocat")
        state.accounts["fortify-demo"].name = "Fortify Demo Corp"
    for owner, name, language, description in REPOSITORIES:
        root = SEED_DATA / name
        branches = {d.name.replace("__", "/"): read_tree(d)
                    for d in sorted(root.iterdir()) if d.is_dir() and d.name != "main"}
        state.create_repository(owner, name, files=read_tree(root / "main"), branches=branches,
                                language=language, description=description)
    state.set_branch_protection("fortify-demo", "payments-api", "main", {
        "required_status_checks": {"strict": True,
                                   "checks": [{"context": "ci/build", "app_id": OTHER_CI_APP_ID}]},
        "enforce_admins": True,
        "required_pull_request_reviews": {"required_approving_review_count": 2,
                                          "dismiss_stale_reviews": True},
        "restrictions": None,
    })
    state.create_installation("fortify-demo", repositories=["payments-api", "web-frontend"],
                              permissions=ORG_PERMISSIONS, notify=False)
    state.create_installation("octocat", notify=False)
