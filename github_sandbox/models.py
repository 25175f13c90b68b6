"""The in-memory records behind the sandbox's GitHub: accounts, repositories, PRs, check runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .gitstore import ObjectStore


@dataclass
class Account:
    """A user or an organization (`type` is "User" or "Organization", as GitHub spells it)."""

    id: int
    login: str
    type: str
    created_at: float
    name: str | None = None
    email: str | None = None
    admins: set[str] = field(default_factory=set)  # org admins (user logins)
    members: set[str] = field(default_factory=set)  # org members who are not admins

    @property
    def is_org(self) -> bool:
        return self.type == "Organization"


@dataclass
class BranchProtection:
    """Stored in the request shape of `PUT .../protection`; rendered expanded on GET."""

    required_status_checks: dict[str, Any] | None
    enforce_admins: bool
    required_pull_request_reviews: dict[str, Any] | None
    restrictions: dict[str, Any] | None
    extras: dict[str, bool] = field(default_factory=dict)


@dataclass
class Repository:
    id: int
    owner: Account
    name: str
    created_at: float
    store: ObjectStore
    branches: dict[str, str] = field(default_factory=dict)  # branch -> commit sha
    default_branch: str = "main"
    private: bool = True
    description: str | None = None
    language: str | None = None
    pushed_at: float = 0.0
    fork_of: Repository | None = None
    protection: dict[str, BranchProtection] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class Installation:
    id: int
    account: Account
    repository_selection: str  # "all" or "selected"
    repository_ids: set[int]
    permissions: dict[str, str]
    events: list[str]
    created_at: float
    updated_at: float
    suspended_at: float | None = None
    suspended_by: str | None = None


@dataclass
class AccessToken:
    """An installation token (`ghs_`), a user-to-server token (`ghu_`) or OAuth token (`gho_`)."""

    token: str
    kind: str  # "installation" | "user"
    created_at: float
    expires_at: float | None
    installation_id: int | None = None
    user_login: str | None = None
    repository_ids: set[int] | None = None  # narrowed installation token
    permissions: dict[str, str] = field(default_factory=dict)
    scope: str = ""
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    user_login: str
    expires_at: float
    used: bool = False


@dataclass
class PullRequest:
    id: int
    number: int
    repo: Repository
    head_repo: Repository
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    title: str
    body: str | None
    user: Account
    created_at: float
    updated_at: float
    state: str = "open"
    closed_at: float | None = None
    merged_at: float | None = None
    merge_commit_sha: str | None = None
    draft: bool = False

    @property
    def is_fork(self) -> bool:
        return self.head_repo is not self.repo


@dataclass
class CheckSuite:
    id: int
    repo: Repository
    head_sha: str
    head_branch: str | None
    app_id: int
    created_at: float
    updated_at: float
    before: str | None = None
    status: str = "queued"
    conclusion: str | None = None


@dataclass
class CheckRun:
    id: int
    repo: Repository
    suite: CheckSuite
    name: str
    head_sha: str
    app_id: int
    created_at: float
    status: str = "queued"
    conclusion: str | None = None
    started_at: float | None = None
    completed_at: float | None = None
    external_id: str | None = ""
    details_url: str | None = None
    output: dict[str, Any] = field(
        default_factory=lambda: {"title": None, "summary": None, "text": None})
    annotations: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Delivery:
    """One attempt to deliver a webhook, as `GET /app/hook/deliveries/{id}` reports it."""

    id: int
    guid: str
    event: str
    action: str | None
    installation_id: int | None
    repository_id: int | None
    payload: bytes
    redelivery: bool = False
    status: str = "pending"
    status_code: int = 0
    delivered_at: float | None = None
    duration: float = 0.0
    request_headers: dict[str, str] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    url: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """A plain snapshot for tests (`state.deliveries[-1]["status_code"]`)."""
        return {
            "id": self.id, "guid": self.guid, "event": self.event, "action": self.action,
            "installation_id": self.installation_id, "repository_id": self.repository_id,
            "status": self.status, "status_code": self.status_code,
            "delivered_at": self.delivered_at, "redelivery": self.redelivery,
            "duration": self.duration, "response": self.response_body, "url": self.url,
        }

    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]
