"""Everything the sandbox GitHub knows, behind one lock, plus the operations tests drive it with.

Mutations that GitHub would announce (a PR opened, a commit pushed, an App installed) send the
matching webhook; the payload is built under the lock and delivered outside it, so a receiver
that calls back into the API while handling a delivery never deadlocks.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Iterable
from typing import Any

from . import webhooks
from .clock import SandboxClock
from .credentials import AppCredentials
from .delivery import WebhookSender
from .faults import FaultRegistry
from .gitstore import ObjectStore, Signature
from .identifiers import IdLedger, IdSequence, random_token
from .models import (
    AccessToken,
    Account,
    BranchProtection,
    CheckRun,
    CheckSuite,
    Delivery,
    Installation,
    PullRequest,
    RefreshToken,
    Repository,
)
from .ratelimit import RateLimiter
from .representations import pull_request_json

INSTALLATION_TOKEN_TTL = 3600
USER_TOKEN_TTL = 8 * 3600
REFRESH_TOKEN_TTL = 15_811_200  # 183 days, what GitHub answers as refresh_token_expires_in
OAUTH_CODE_TTL = 600
DEFAULT_INSTALLATION_PERMISSIONS = {
    "checks": "write", "contents": "read", "metadata": "read", "pull_requests": "write",
}


class NotFound(LookupError):
    """Raised by state look-ups; the REST layer turns it into GitHub's 404."""


class GitHubState:
    def __init__(self, app: AppCredentials, *, base_url: str = "http://127.0.0.1",
                 ledger: IdLedger | None = None) -> None:
        self.app = app
        self.base_url = base_url
        self.clock = SandboxClock()
        self.lock = threading.RLock()
        self.faults = FaultRegistry()
        self.ratelimits = RateLimiter(self.clock)
        self.requests: list[dict[str, Any]] = []
        self.deliveries: list[Delivery] = []
        self.token_requests = 0
        self.signed_in_login = "octocat"  # who the web pages act as
        # Installation requests members sent to their organization's owners:
        # {"account": login, "requester": login, "repositories": [...]}
        self.installation_requests: list[dict[str, Any]] = []

        self.accounts: dict[str, Account] = {}
        self.repositories: dict[str, Repository] = {}
        self.installations: dict[int, Installation] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.oauth_codes: dict[str, dict[str, Any]] = {}
        self.manifest_codes: dict[str, dict[str, Any]] = {}  # App manifest flow (one use)
        self.pulls: dict[int, list[PullRequest]] = {}
        self.check_suites: dict[int, CheckSuite] = {}
        self.check_runs: dict[int, CheckRun] = {}
        #: pull request id -> its reviews (dicts with their `comments`), oldest first.
        self.reviews: dict[int, list[dict[str, Any]]] = {}
        self.download_tokens: dict[str, tuple[str, str, float]] = {}

        self._user_ids = IdSequence(583231)
        self._repo_ids = IdSequence(700_000_001)
        self._installation_ids = IdSequence(51_000_001)
        # What the product stores and must never see twice continues across restarts (the
        # seeded accounts, repositories and installations are the same ones every time).
        self.ledger = ledger or IdLedger(None)
        self._pull_ids = IdSequence(1_800_000_001, ledger=self.ledger, name="pull")
        self._suite_ids = IdSequence(21_000_000_001, ledger=self.ledger, name="check_suite")
        self._run_ids = IdSequence(24_000_000_001, ledger=self.ledger, name="check_run")
        self._delivery_ids = IdSequence(93_000_000_001, ledger=self.ledger, name="delivery")
        self._review_ids = IdSequence(1_900_000_001, ledger=self.ledger, name="review")
        self._sender = WebhookSender(app, self.clock.now)
        self.create_org(app.owner_login, admins=())

    # ---- accounts ---------------------------------------------------------------------------

    def create_user(self, login: str, *, name: str | None = None,
                    email: str | None = None) -> Account:
        with self.lock:
            account = Account(self._user_ids.next(), login, "User", self.clock.now(),
                              name=name or login, email=email or f"{login}@example.com")
            self.accounts[login.lower()] = account
            return account

    def create_org(self, login: str, *, admins: Iterable[str] = ("octocat",),
                   members: Iterable[str] = (), name: str | None = None) -> Account:
        with self.lock:
            account = Account(self._user_ids.next(), login, "Organization", self.clock.now(),
                              name=name or login, admins=set(admins), members=set(members))
            self.accounts[login.lower()] = account
            return account

    def account(self, login: str) -> Account:
        with self.lock:
            try:
                return self.accounts[login.lower()]
            except KeyError:
                raise NotFound(login) from None

    def is_admin(self, login: str, account: Account) -> bool:
        return account.login.lower() == login.lower() or login in account.admins

    # ---- repositories and git ---------------------------------------------------------------

    def create_repository(
        self, owner: str, name: str, *, files: dict[str, str | bytes] | None = None,
        branches: dict[str, dict[str, str | bytes | None]] | None = None,
        default_branch: str = "main", private: bool = True, description: str | None = None,
        language: str | None = None,
    ) -> Repository:
        """A repository whose default branch holds `files`; each of `branches` is one commit
        on top of it changing `{path: content}` (None deletes the file)."""
        with self.lock:
            account = self.account(owner)
            now = self.clock.now()
            repo = Repository(self._repo_ids.next(), account, name, now, ObjectStore(),
                              default_branch=default_branch, private=private,
                              description=description, language=language, pushed_at=now)
            self.repositories[repo.full_name.lower()] = repo
            snapshot = {path: _bytes(content) for path, content in (files or {}).items()}
            commit = self._commit(repo, snapshot, [], "Initial commit", self._signature(account))
            repo.branches[default_branch] = commit
            for branch, changes in (branches or {}).items():
                self.push_commit(owner, name, branch, changes, f"Work on {branch}",
                                 notify=False)
            return repo

    def repository(self, owner: str, name: str) -> Repository:
        with self.lock:
            try:
                return self.repositories[f"{owner}/{name}".lower()]
            except KeyError:
                raise NotFound(f"{owner}/{name}") from None

    def repository_by_id(self, repo_id: int) -> Repository:
        with self.lock:
            for repo in self.repositories.values():
                if repo.id == repo_id:
                    return repo
        raise NotFound(str(repo_id))

    def fork_repository(self, owner: str, name: str, new_owner: str) -> Repository:
        """A fork under `new_owner` sharing the parent's objects and branches at this moment."""
        with self.lock:
            parent = self.repository(owner, name)
            key = f"{new_owner}/{name}".lower()
            if key in self.repositories:
                return self.repositories[key]
            account = self.account(new_owner)
            store = ObjectStore(dict(parent.store.blobs), dict(parent.store.trees),
                                dict(parent.store.commits))
            fork = Repository(self._repo_ids.next(), account, name, self.clock.now(), store,
                              branches=dict(parent.branches), default_branch=parent.default_branch,
                              private=parent.private, description=parent.description,
                              language=parent.language, pushed_at=self.clock.now(),
                              fork_of=parent)
            self.repositories[key] = fork
            return fork

    def resolve_ref(self, repo: Repository, ref: str) -> str:
        """A branch name, `heads/x`, `refs/heads/x` or a (short) commit sha -> commit sha."""
        with self.lock:
            name = ref.removeprefix("refs/").removeprefix("heads/")
            if name in repo.branches:
                return repo.branches[name]
            if ref in repo.store.commits:
                return ref
            if len(ref) >= 7:
                matches = [sha for sha in repo.store.commits if sha.startswith(ref)]
                if len(matches) == 1:
                    return matches[0]
            raise NotFound(ref)

    def _signature(self, account: Account) -> Signature:
        email = account.email or f"{account.id}+{account.login}@users.noreply.github.com"
        return Signature(account.name or account.login, email, self.clock.now())

    def _commit(self, repo: Repository, files: dict[str, bytes], parents: list[str],
                message: str, author: Signature) -> str:
        tree = repo.store.write_files(files)
        return repo.store.put_commit(tree, parents, message, author, author).sha

    def push_commit(self, owner: str, repo: str, branch: str,
                    changes: dict[str, str | bytes | None], message: str = "Update files", *,
                    author: str | None = None, notify: bool = True, wait: bool = False) -> str:
        """Commit `{path: content or None}` on `branch` (created from the default branch if
        new); open PRs from that branch get `pull_request.synchronize`. Returns the new sha."""
        with self.lock:
            target = self.repository(owner, repo)
            parent = target.branches.get(branch) or target.branches[target.default_branch]
            files = target.store.files_of(parent)
            for path, content in changes.items():
                if content is None:
                    files.pop(path, None)
                else:
                    files[path] = _bytes(content)
            # an org cannot author commits: the signed-in user pushes to its repositories
            who = self.account(author) if author else target.owner
            if target.owner.is_org and not author and self.signed_in_login.lower() in (
                    self.accounts):
                who = self.account(self.signed_in_login)
            sha = self._commit(target, files, [parent], message, self._signature(who))
            events = self.move_branch(target, branch, sha, notify=notify)
        for event, payload in events:
            self.emit(event, payload, wait=wait)
        return sha

    def move_branch(self, target: Repository, branch: str, sha: str, *,
                    notify: bool = True) -> list[tuple[str, dict[str, Any]]]:
        """Point `branch` at `sha` (a push); returns the webhooks GitHub would send for it:
        `pull_request.synchronize` for open PRs from the branch, and `check_suite.requested`."""
        with self.lock:
            before = target.branches.get(branch)
            target.branches[branch] = sha
            target.pushed_at = self.clock.now()
            events: list[tuple[str, dict[str, Any]]] = []
            if not notify:
                return events
            for pr in self._open_pulls_with_head(target, branch):
                if pr.is_fork:
                    _share_objects(target, pr.repo)  # like refs/pull/N/head in the base repo
                previous, pr.head_sha = pr.head_sha, sha
                pr.base_sha = pr.repo.branches[pr.base_ref]
                pr.updated_at = self.clock.now()
                events.append(("pull_request", webhooks.pull_request_payload(
                    self, pr, "synchronize", before=previous, after=sha)))
            events.extend(self._check_suite_requested(target, branch, sha, before))
            return events

    def create_branch(self, owner: str, repo: str, branch: str,
                      from_ref: str | None = None) -> str:
        with self.lock:
            target = self.repository(owner, repo)
            sha = self.resolve_ref(target, from_ref or target.default_branch)
            target.branches[branch] = sha
            return sha

    def _open_pulls_with_head(self, head_repo: Repository, branch: str) -> list[PullRequest]:
        return [pr for prs in self.pulls.values() for pr in prs
                if pr.state == "open" and pr.head_repo is head_repo and pr.head_ref == branch]

    # ---- pull requests ----------------------------------------------------------------------

    def open_pull_request(self, owner: str, repo: str, head_branch: str,
                          base_branch: str = "main", *, title: str | None = None,
                          body: str | None = None, fork_owner: str | None = None,
                          draft: bool = False, user: str | None = None,
                          wait: bool = False) -> dict[str, Any]:
        """Open a PR (from a fork of `repo` under `fork_owner` when given) and send
        `pull_request.opened`. Returns the PR as `GET .../pulls/{n}` shows it."""
        with self.lock:
            base_repo = self.repository(owner, repo)
            head_repo = base_repo
            if fork_owner:
                head_repo = self.fork_repository(owner, repo, fork_owner)
                if head_branch not in head_repo.branches and head_branch in base_repo.branches:
                    head_repo.branches[head_branch] = base_repo.branches[head_branch]
            if head_branch not in head_repo.branches:
                raise NotFound(f"branch {head_branch}")
            if head_repo is not base_repo:
                _share_objects(head_repo, base_repo)
            author = self.account(user or fork_owner or self.signed_in_login)
            now = self.clock.now()
            prs = self.pulls.setdefault(base_repo.id, [])
            number_key = f"pull_number:{base_repo.id}"
            number = max(len(prs), self.ledger.last(number_key)) + 1
            self.ledger.record(number_key, number)
            pr = PullRequest(
                self._pull_ids.next(), number, base_repo, head_repo, head_branch,
                head_repo.branches[head_branch], base_branch, base_repo.branches[base_branch],
                title or f"Changes from {head_branch}", body, author, now, now, draft=draft,
            )
            prs.append(pr)
            payload = webhooks.pull_request_payload(self, pr, "opened")
            suite_events = self._check_suite_requested(head_repo, head_branch, pr.head_sha, None)
            result = self.pull_request_json(pr)
        self.emit("pull_request", payload, wait=wait)
        for event, suite_payload in suite_events:
            self.emit(event, suite_payload, wait=wait)
        return result

    def pull_request(self, owner: str, repo: str, number: int) -> PullRequest:
        with self.lock:
            target = self.repository(owner, repo)
            for pr in self.pulls.get(target.id, []):
                if pr.number == number:
                    return pr
        raise NotFound(f"pull {number}")

    def pull_request_json(self, pr: PullRequest) -> dict[str, Any]:
        from .diffs import diff_entries

        with self.lock:
            files = diff_entries(pr.repo, self.base_url, self.pull_merge_base(pr), pr.head_sha,
                                 pr.head_repo)
            stats = {
                "commits": self.pull_commit_count(pr),
                "additions": sum(f["additions"] for f in files),
                "deletions": sum(f["deletions"] for f in files),
                "changed_files": len(files),
            }
            return pull_request_json(pr, self.base_url, full=True, stats=stats)

    def pull_merge_base(self, pr: PullRequest) -> str | None:
        base_tip = pr.repo.branches.get(pr.base_ref, pr.base_sha)
        return pr.head_repo.store.merge_base(base_tip, pr.head_sha) if (
            base_tip in pr.head_repo.store.commits) else pr.base_sha

    def pull_commit_count(self, pr: PullRequest) -> int:
        merge_base = self.pull_merge_base(pr)
        count = 0
        for sha in pr.head_repo.store.ancestors(pr.head_sha):
            if sha == merge_base:
                break
            count += 1
        return max(count, 1)

    def close_pull_request(self, owner: str, repo: str, number: int, *, merged: bool = False,
                           wait: bool = False) -> dict[str, Any]:
        with self.lock:
            pr = self.pull_request(owner, repo, number)
            now = self.clock.now()
            pr.state, pr.closed_at, pr.updated_at = "closed", now, now
            if merged:
                target = pr.repo
                files = pr.head_repo.store.files_of(pr.head_sha)
                if pr.is_fork:
                    _share_objects(pr.head_repo, target)
                sha = self._commit(target, files, [target.branches[pr.base_ref], pr.head_sha],
                                   f"Merge pull request #{pr.number}", self._signature(pr.user))
                target.branches[pr.base_ref] = sha
                pr.merged_at, pr.merge_commit_sha = now, sha
            payload = webhooks.pull_request_payload(self, pr, "closed")
            result = self.pull_request_json(pr)
        self.emit("pull_request", payload, wait=wait)
        return result

    def reopen_pull_request(self, owner: str, repo: str, number: int, *,
                            wait: bool = False) -> dict[str, Any]:
        with self.lock:
            pr = self.pull_request(owner, repo, number)
            pr.state, pr.closed_at, pr.updated_at = "open", None, self.clock.now()
            payload = webhooks.pull_request_payload(self, pr, "reopened")
            result = self.pull_request_json(pr)
        self.emit("pull_request", payload, wait=wait)
        return result

    def mark_ready_for_review(self, owner: str, repo: str, number: int, *,
                              wait: bool = False) -> dict[str, Any]:
        with self.lock:
            pr = self.pull_request(owner, repo, number)
            pr.draft, pr.updated_at = False, self.clock.now()
            payload = webhooks.pull_request_payload(self, pr, "ready_for_review")
            result = self.pull_request_json(pr)
        self.emit("pull_request", payload, wait=wait)
        return result

    def open_pulls_for_sha(self, repo: Repository, sha: str) -> list[PullRequest]:
        """PRs of `repo` whose head is `sha` in `repo` itself: GitHub leaves fork PRs out of
        `check_run.pull_requests`."""
        return [pr for pr in self.pulls.get(repo.id, [])
                if pr.state == "open" and pr.head_sha == sha and not pr.is_fork]

    # ---- installations ----------------------------------------------------------------------

    def create_installation(
        self, account: str, *, repositories: Iterable[str] | None = None,
        permissions: dict[str, str] | None = None, events: Iterable[str] | None = None,
        sender: str | None = None, notify: bool = True, wait: bool = False,
    ) -> Installation:
        """Install the App on `account`: on all repositories, or on `repositories` (names)."""
        with self.lock:
            target = self.account(account)
            now = self.clock.now()
            ids = set()
            if repositories is not None:
                ids = {self.repository(target.login, name.split("/")[-1]).id
                       for name in repositories}
            inst = Installation(
                self._installation_ids.next(), target,
                "all" if repositories is None else "selected", ids,
                dict(permissions or DEFAULT_INSTALLATION_PERMISSIONS),
                list(events if events is not None else self.app.events), now, now,
            )
            self.installations[inst.id] = inst
            payload = webhooks.installation_payload(self, inst, "created", sender=sender)
        if notify:
            self.send_webhook("installation", payload, wait=wait)
        return inst

    def installation(self, installation_id: int) -> Installation:
        with self.lock:
            try:
                return self.installations[int(installation_id)]
            except (KeyError, ValueError):
                raise NotFound(str(installation_id)) from None

    def installation_repositories(self, inst: Installation) -> list[Repository]:
        with self.lock:
            return sorted((r for r in self.repositories.values()
                           if r.owner is inst.account and (inst.repository_selection == "all"
                                                           or r.id in inst.repository_ids)),
                          key=lambda r: r.full_name.lower())

    def installation_for_repo(self, repo: Repository) -> Installation | None:
        with self.lock:
            for inst in self.installations.values():
                if repo in self.installation_repositories(inst):
                    return inst
        return None

    def add_repository_to_installation(self, installation_id: int, owner: str, repo: str, *,
                                       notify: bool = True, wait: bool = False) -> None:
        """Select one more repository; `notify=False` changes access silently (drift tests)."""
        with self.lock:
            inst = self.installation(installation_id)
            target = self.repository(owner, repo)
            inst.repository_ids.add(target.id)
            inst.updated_at = self.clock.now()
            payload = webhooks.installation_repositories_payload(self, inst, added=[target])
        if notify:
            self.send_webhook("installation_repositories", payload, wait=wait)

    def remove_repository_from_installation(self, installation_id: int, owner: str, repo: str,
                                            *, notify: bool = True, wait: bool = False) -> None:
        with self.lock:
            inst = self.installation(installation_id)
            target = self.repository(owner, repo)
            if inst.repository_selection == "all":
                inst.repository_selection = "selected"
                inst.repository_ids = {r.id for r in self.installation_repositories(inst)}
            inst.repository_ids.discard(target.id)
            inst.updated_at = self.clock.now()
            payload = webhooks.installation_repositories_payload(self, inst, removed=[target])
        if notify:
            self.send_webhook("installation_repositories", payload, wait=wait)

    def delete_installation(self, installation_id: int, *, notify: bool = True,
                            wait: bool = False) -> None:
        with self.lock:
            inst = self.installation(installation_id)
            payload = webhooks.installation_payload(self, inst, "deleted")
            del self.installations[inst.id]
            for token in self.tokens.values():
                if token.installation_id == inst.id:
                    token.revoked = True
        if notify:
            self.send_webhook("installation", payload, wait=wait)

    def suspend_installation(self, installation_id: int, *, notify: bool = True,
                             wait: bool = False) -> None:
        with self.lock:
            inst = self.installation(installation_id)
            inst.suspended_at, inst.suspended_by = self.clock.now(), self.signed_in_login
            payload = webhooks.installation_payload(self, inst, "suspend")
        if notify:
            self.send_webhook("installation", payload, wait=wait)

    def unsuspend_installation(self, installation_id: int, *, notify: bool = True,
                               wait: bool = False) -> None:
        with self.lock:
            inst = self.installation(installation_id)
            inst.suspended_at = inst.suspended_by = None
            payload = webhooks.installation_payload(self, inst, "unsuspend")
        if notify:
            self.send_webhook("installation", payload, wait=wait)

    def update_installation_permissions(self, installation_id: int,
                                        permissions: dict[str, str], *, notify: bool = True,
                                        wait: bool = False) -> None:
        """The account accepted new permissions; `installation.new_permissions_accepted`."""
        with self.lock:
            inst = self.installation(installation_id)
            inst.permissions = dict(permissions)
            inst.updated_at = self.clock.now()
            payload = webhooks.installation_payload(self, inst, "new_permissions_accepted")
        if notify:
            self.send_webhook("installation", payload, wait=wait)

    # ---- tokens -----------------------------------------------------------------------------

    def issue_installation_token(self, inst: Installation,
                                 repository_ids: set[int] | None = None,
                                 permissions: dict[str, str] | None = None) -> AccessToken:
        with self.lock:
            now = self.clock.now()
            token = AccessToken(random_token("ghs_", 156), "installation", now,
                                now + INSTALLATION_TOKEN_TTL, installation_id=inst.id,
                                repository_ids=repository_ids,
                                permissions=dict(permissions or inst.permissions))
            self.tokens[token.token] = token
            self.token_requests += 1
            return token

    def issue_user_token(self, login: str, *, expiring: bool = True,
                         scope: str = "") -> tuple[AccessToken, RefreshToken | None]:
        """A user-to-server token (`ghu_`, 8 h, with a `ghr_` refresh token) or, with
        `expiring=False`, a classic OAuth token (`gho_`) that never expires."""
        with self.lock:
            now = self.clock.now()
            if not expiring:
                token = AccessToken(random_token("gho_", 36), "user", now, None,
                                    user_login=login, scope=scope)
                self.tokens[token.token] = token
                return token, None
            token = AccessToken(random_token("ghu_", 36), "user", now, now + USER_TOKEN_TTL,
                                user_login=login, scope=scope)
            refresh = RefreshToken(random_token("ghr_", 76), login, now + REFRESH_TOKEN_TTL)
            self.tokens[token.token] = token
            self.refresh_tokens[refresh.token] = refresh
            return token, refresh

    def create_oauth_code(self, login: str, redirect_uri: str | None, state: str | None) -> str:
        with self.lock:
            code = uuid.uuid4().hex[:20]
            self.oauth_codes[code] = {"login": login, "redirect_uri": redirect_uri,
                                      "state": state,
                                      "expires_at": self.clock.now() + OAUTH_CODE_TTL}
            return code

    # ---- checks -----------------------------------------------------------------------------

    def check_suite_for(self, repo: Repository, head_sha: str,
                        head_branch: str | None = None) -> CheckSuite:
        """The App's suite for a commit, created on first use like GitHub does."""
        with self.lock:
            for suite in self.check_suites.values():
                if (suite.repo is repo and suite.head_sha == head_sha
                        and suite.app_id == self.app.id):
                    return suite
            if head_branch is None:
                head_branch = next((b for b, sha in repo.branches.items() if sha == head_sha),
                                   None)
            now = self.clock.now()
            parents = repo.store.commits[head_sha].parents if head_sha in repo.store.commits else ()
            suite = CheckSuite(self._suite_ids.next(), repo, head_sha, head_branch, self.app.id,
                               now, now, before=parents[0] if parents else None)
            self.check_suites[suite.id] = suite
            return suite

    def _check_suite_requested(self, repo: Repository, branch: str, sha: str,
                               before: str | None) -> list[tuple[str, dict[str, Any]]]:
        """`check_suite.requested` for a push, when the installation subscribes to it."""
        inst = self.installation_for_repo(repo)
        if inst is None or "check_suite" not in inst.events:
            return []
        suite = self.check_suite_for(repo, sha, branch)
        suite.before = before
        return [("check_suite", webhooks.check_suite_payload(self, suite, "requested"))]

    def next_review_id(self) -> int:
        return self._review_ids.next()

    def next_check_run_id(self) -> int:
        return self._run_ids.next()

    def check_run(self, check_run_id: int) -> CheckRun:
        with self.lock:
            try:
                return self.check_runs[int(check_run_id)]
            except (KeyError, ValueError):
                raise NotFound(str(check_run_id)) from None

    def rerequest_check_run(self, check_run_id: int, *,
                            wait: bool = False) -> Delivery | None:
        """Someone clicked "Re-run": `check_run.rerequested`."""
        with self.lock:
            payload = webhooks.check_run_payload(self, self.check_run(check_run_id), "rerequested")
        return self.emit("check_run", payload, wait=wait)

    def request_check_run_action(self, check_run_id: int, identifier: str, *,
                                 wait: bool = False) -> Delivery | None:
        """Someone clicked one of the check run's action buttons: `check_run.requested_action`."""
        with self.lock:
            run = self.check_run(check_run_id)
            payload = webhooks.check_run_payload(self, run, "requested_action")
            payload["requested_action"] = {"identifier": identifier}
        return self.emit("check_run", payload, wait=wait)

    def rerequest_check_suite(self, check_suite_id: int, *,
                              wait: bool = False) -> Delivery | None:
        with self.lock:
            payload = webhooks.check_suite_payload(self, self.check_suites[check_suite_id],
                                                   "rerequested")
        return self.emit("check_suite", payload, wait=wait)

    # ---- branch protection ------------------------------------------------------------------

    def set_branch_protection(self, owner: str, repo: str, branch: str,
                              protection: dict[str, Any]) -> None:
        """Protect a branch with a body in the shape of `PUT .../branches/{branch}/protection`."""
        with self.lock:
            target = self.repository(owner, repo)
            extras = {k: bool(v) for k, v in protection.items() if k not in (
                "required_status_checks", "enforce_admins", "required_pull_request_reviews",
                "restrictions")}
            target.protection[branch] = BranchProtection(
                copy.deepcopy(protection.get("required_status_checks")),
                bool(protection.get("enforce_admins")),
                copy.deepcopy(protection.get("required_pull_request_reviews")),
                copy.deepcopy(protection.get("restrictions")), extras)

    # ---- webhooks ---------------------------------------------------------------------------

    def send_webhook(self, event: str, payload: dict[str, Any], *, wait: bool = False,
                     guid: str | None = None, redelivery: bool = False) -> Delivery:
        """Sign and POST `payload` to `app.webhook_url` (in order, on a worker thread unless
        `wait`); the returned record fills in once delivered."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        installation = payload.get("installation") or {}
        repository = payload.get("repository") or {}
        delivery = Delivery(
            self._delivery_ids.next(), guid or str(uuid.uuid4()), event, payload.get("action"),
            installation.get("id"), repository.get("id"), body, redelivery=redelivery,
        )
        with self.lock:
            self.deliveries.append(delivery)
        return self._sender.submit(delivery, wait=wait)

    def emit(self, event: str, payload: dict[str, Any], *,
             wait: bool = False) -> Delivery | None:
        """Send a repository event only where GitHub would: to an installation that covers
        the repository, is not suspended, and subscribes to the event."""
        installation = (payload.get("installation") or {}).get("id")
        with self.lock:
            inst = self.installations.get(installation) if installation else None
            wanted = inst is not None and inst.suspended_at is None and event in inst.events
        return self.send_webhook(event, payload, wait=wait) if wanted else None

    def redeliver(self, delivery_id: int, *, wait: bool = False) -> Delivery:
        """Send a past delivery again: same payload and GUID, recorded with `redelivery=true`."""
        with self.lock:
            original = next((d for d in self.deliveries if d.id == int(delivery_id)), None)
            if original is None:
                raise NotFound(str(delivery_id))
        return self.send_webhook(original.event, json.loads(original.payload), wait=wait,
                                 guid=original.guid, redelivery=True)

    def wait_for_deliveries(self, timeout: float = 30.0) -> bool:
        """Block until every webhook queued so far has been attempted."""
        return self._sender.join(timeout)

    def stop(self) -> None:
        self._sender.stop()

    # ---- request log ------------------------------------------------------------------------

    def record_request(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)

    def requests_to(self, method: str, path_pattern: str) -> list[dict[str, Any]]:
        """The logged requests matching a method and an fnmatch pattern on the path."""
        import fnmatch

        with self.lock:
            return [r for r in self.requests if r["method"] == method.upper()
                    and fnmatch.fnmatchcase(r["path"], path_pattern)]


def _share_objects(source: Repository, target: Repository) -> None:
    """Make a fork's commits readable in the parent, as GitHub does for fork PR heads."""
    for kind in ("blobs", "trees", "commits"):
        mapping = getattr(target.store, kind)
        for sha, obj in getattr(source.store, kind).items():
            mapping.setdefault(sha, obj)


def _bytes(content: str | bytes) -> bytes:
    return content.encode() if isinstance(content, str) else content
