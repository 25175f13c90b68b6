"""``GitHubClient``: one method per GitHub REST endpoint the product uses.

Each method's docstring starts with the GitHub docs URL of its endpoint; each call is tagged
with the documented path template. Transport concerns (auth, retries, rate limits, breaker,
ETags, logging, metrics) live in ``http.Transport``; methods here only shape requests and
answers. List endpoints return iterators that follow pagination.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict

from fortify_github.github.conf import conf
from fortify_github.github.credentials import Credential
from fortify_github.github.errors import CircuitOpen, ServerError, Unavailable
from fortify_github.github.http import Reply, Transport, backoff_delay

logger = logging.getLogger("fortify_github.github")

JSON = dict[str, Any]


AnnotationLevel = Literal["notice", "warning", "failure"]


class CheckRunAnnotation(TypedDict):
    """https://docs.github.com/rest/checks/runs#update-a-check-run (``output.annotations``)"""

    path: str
    start_line: int
    end_line: int
    annotation_level: AnnotationLevel
    message: str
    title: NotRequired[str]
    raw_details: NotRequired[str]
    # Only allowed when start_line == end_line.
    start_column: NotRequired[int]
    end_column: NotRequired[int]


class CheckRunOutput(TypedDict):
    title: str
    summary: str
    text: NotRequired[str]
    annotations: NotRequired[list[CheckRunAnnotation]]


class CheckRunAction(TypedDict):
    label: str  # at most 20 characters
    description: str  # at most 40 characters
    identifier: str  # at most 20 characters


def _compact(body: dict[str, Any]) -> dict[str, Any]:
    """Drop unset optional fields: GitHub rejects ``null`` for several of them."""
    return {name: value for name, value in body.items() if value is not None}


def _iso(value: datetime | str | None) -> str | None:
    """GitHub's ISO 8601 timestamp (``2024-05-01T12:00:00Z``); naive datetimes are UTC."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubClient:
    """Speaks to GitHub as one credential (App JWT, installation token or user token)."""

    def __init__(self, credential: Credential, *, base_url: str | None = None) -> None:
        self.transport = Transport(credential, base_url=base_url)

    def _get(self, template: str, *, cacheable: bool = True, immutable: bool = False,
             **path: Any) -> Any:
        params = path.pop("params", None)
        return self.transport.request("GET", template, path=path, params=params,
                                      cacheable=cacheable, immutable=immutable).data

    # ---- the App ----------------------------------------------------------------------------

    def get_app(self) -> JSON:
        """https://docs.github.com/rest/apps/apps#get-the-authenticated-app"""
        return self._get("/app")

    def create_app_from_manifest(self, code: str) -> JSON:
        """https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest

        Needs no credential (``anonymous_client()``): the one-time code is the proof. The
        answer holds the new App's private key and secrets; callers show them once.
        """
        return self.transport.request("POST", "/app-manifests/{code}/conversions",
                                      path={"code": code}, idempotent=False).data

    def list_installations(self) -> Iterator[JSON]:
        """https://docs.github.com/rest/apps/apps#list-installations-for-the-authenticated-app"""
        return self.transport.paginate("/app/installations", complete=True)

    def get_installation(self, installation_id: int) -> JSON:
        """https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app"""
        return self._get("/app/installations/{installation_id}",
                         installation_id=installation_id)

    def create_installation_token(self, installation_id: int, *,
                                  repositories: list[str] | None = None,
                                  permissions: dict[str, str] | None = None) -> JSON:
        """https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app

        Used by ``tokens``; everyone else asks ``installation_client()``. Repeating it after a
        lost answer only mints a second token, so it counts as idempotent.
        """
        body = _compact({"repositories": repositories, "permissions": permissions})
        return self.transport.request(
            "POST", "/app/installations/{installation_id}/access_tokens",
            path={"installation_id": installation_id}, json_body=body or None,
            idempotent=True, content=False,
        ).data

    def list_installation_repositories(self) -> Iterator[JSON]:
        """https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation"""
        return self.transport.paginate("/installation/repositories", item_key="repositories",
                                       complete=True)

    # ---- webhooks deliveries (App JWT) ------------------------------------------------------

    def list_hook_deliveries(self, *, per_page: int = 100, since: datetime | None = None,
                             status: str | None = None) -> Iterator[JSON]:
        """https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook

        Newest first, cursor-paginated (GitHub puts the cursor in ``Link``); with ``since``,
        stops at the first delivery older than it.
        """
        items = self.transport.paginate("/app/hook/deliveries",
                                        params={"per_page": per_page, "status": status})
        for delivery in items:
            if since is not None and delivery.get("delivered_at"):
                delivered = datetime.fromisoformat(
                    str(delivery["delivered_at"]).replace("Z", "+00:00"))
                if delivered < since:
                    return
            yield delivery

    def get_hook_delivery(self, delivery_id: int) -> JSON:
        """https://docs.github.com/rest/apps/webhooks#get-a-delivery-for-an-app-webhook"""
        return self._get("/app/hook/deliveries/{delivery_id}", cacheable=False,
                         delivery_id=delivery_id)

    def redeliver_hook_delivery(self, delivery_id: int) -> None:
        """https://docs.github.com/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook

        Not repeated after a lost answer: the receiver deduplicates by GUID, but a doubled
        redelivery is still noise.
        """
        self.transport.request("POST", "/app/hook/deliveries/{delivery_id}/attempts",
                               path={"delivery_id": delivery_id}, content=False)

    # ---- repositories -----------------------------------------------------------------------

    def get_repository(self, owner: str, repo: str) -> JSON:
        """https://docs.github.com/rest/repos/repos#get-a-repository"""
        return self._get("/repos/{owner}/{repo}", owner=owner, repo=repo)

    def get_repository_languages(self, owner: str, repo: str) -> dict[str, int]:
        """https://docs.github.com/rest/repos/repos#list-repository-languages"""
        return self._get("/repos/{owner}/{repo}/languages", owner=owner, repo=repo)

    def get_contents(self, owner: str, repo: str, path: str, *, ref: str | None = None) -> Any:
        """https://docs.github.com/rest/repos/contents#get-repository-content

        A file (``content`` base64) or a directory listing (a list).
        """
        return self._get("/repos/{owner}/{repo}/contents/{path}", owner=owner, repo=repo,
                         path=path.lstrip("/"), params={"ref": ref})

    def download_tarball(self, owner: str, repo: str, ref: str, dest: Path) -> Path:
        """https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar

        GitHub answers 302 to a short-lived codeload URL; the body is streamed to ``dest``.
        """
        return self.transport.download("/repos/{owner}/{repo}/tarball/{ref}", Path(dest),
                                       path={"owner": owner, "repo": repo, "ref": ref})

    # ---- pull requests and commits ----------------------------------------------------------

    def get_pull_request(self, owner: str, repo: str, pull_number: int) -> JSON:
        """https://docs.github.com/rest/pulls/pulls#get-a-pull-request"""
        return self._get("/repos/{owner}/{repo}/pulls/{pull_number}", owner=owner, repo=repo,
                         pull_number=pull_number)

    def list_pull_request_files(self, owner: str, repo: str,
                                pull_number: int) -> Iterator[JSON]:
        """https://docs.github.com/rest/pulls/pulls#list-pull-requests-files

        GitHub lists at most 3000 files (30 pages of 100).
        """
        return self.transport.paginate(
            "/repos/{owner}/{repo}/pulls/{pull_number}/files",
            path={"owner": owner, "repo": repo, "pull_number": pull_number}, cacheable=True)

    def create_pull_request(self, owner: str, repo: str, *, title: str, head: str, base: str,
                            body: str | None = None, draft: bool = False) -> JSON:
        """https://docs.github.com/rest/pulls/pulls#create-a-pull-request

        Not retried blindly: a repeat of a lost answer is refused (422, already exists).
        """
        return self.transport.request(
            "POST", "/repos/{owner}/{repo}/pulls", path={"owner": owner, "repo": repo},
            json_body=_compact({"title": title, "head": head, "base": base, "body": body,
                                "draft": draft or None})).data

    def list_pull_requests_for_commit(self, owner: str, repo: str,
                                      sha: str) -> Iterator[JSON]:
        """https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit"""
        return self.transport.paginate("/repos/{owner}/{repo}/commits/{commit_sha}/pulls",
                                       path={"owner": owner, "repo": repo, "commit_sha": sha})

    def compare_commits(self, owner: str, repo: str, base: str, head: str) -> JSON:
        """https://docs.github.com/rest/commits/commits#compare-two-commits"""
        return self._get("/repos/{owner}/{repo}/compare/{basehead}", owner=owner, repo=repo,
                         basehead=f"{base}...{head}")

    def create_pull_request_review(self, owner: str, repo: str, pull_number: int, *,
                                   commit_id: str, body: str, event: str = "COMMENT",
                                   comments: list[JSON] | None = None) -> JSON:
        """https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request

        ``comments``: ``{"path", "line", "side": "RIGHT", "body"}`` (plus ``start_line`` and
        ``start_side`` for several lines). Not repeated after a lost answer: that would post
        the review twice.
        """
        return self.transport.request(
            "POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            path={"owner": owner, "repo": repo, "pull_number": pull_number},
            json_body=_compact({"commit_id": commit_id, "body": body, "event": event,
                                "comments": comments})).data

    # ---- git data ---------------------------------------------------------------------------

    def get_git_commit(self, owner: str, repo: str, commit_sha: str) -> JSON:
        """https://docs.github.com/rest/git/commits#get-a-commit-object"""
        return self._get("/repos/{owner}/{repo}/git/commits/{commit_sha}", owner=owner,
                         repo=repo, commit_sha=commit_sha)

    def get_tree(self, owner: str, repo: str, tree_sha: str, *,
                 recursive: bool = False) -> JSON:
        """https://docs.github.com/rest/git/trees#get-a-tree

        Check ``truncated``: GitHub caps recursive trees (100,000 entries / 7 MB).
        """
        return self._get("/repos/{owner}/{repo}/git/trees/{tree_sha}", owner=owner, repo=repo,
                         tree_sha=tree_sha, params={"recursive": "1" if recursive else None})

    def get_blob(self, owner: str, repo: str, file_sha: str) -> JSON:
        """https://docs.github.com/rest/git/blobs#get-a-blob

        A blob's sha is its content's hash: once this credential has read it, it is served
        from the cache without a request (a new push to a pull request re-reads mostly blobs
        it read before)."""
        return self._get("/repos/{owner}/{repo}/git/blobs/{file_sha}", owner=owner, repo=repo,
                         file_sha=file_sha, immutable=True)

    def create_blob(self, owner: str, repo: str, content: str, *,
                    encoding: str = "utf-8") -> JSON:
        """https://docs.github.com/rest/git/blobs#create-a-blob

        Git objects are content-addressed: repeating the call yields the same object.
        """
        return self.transport.request(
            "POST", "/repos/{owner}/{repo}/git/blobs", path={"owner": owner, "repo": repo},
            json_body={"content": content, "encoding": encoding}, idempotent=True).data

    def create_tree(self, owner: str, repo: str, tree: list[JSON], *,
                    base_tree: str | None = None) -> JSON:
        """https://docs.github.com/rest/git/trees#create-a-tree

        Content-addressed like blobs, so safe to repeat.
        """
        return self.transport.request(
            "POST", "/repos/{owner}/{repo}/git/trees", path={"owner": owner, "repo": repo},
            json_body=_compact({"tree": tree, "base_tree": base_tree}), idempotent=True).data

    def create_commit(self, owner: str, repo: str, *, message: str, tree: str,
                      parents: list[str], author: JSON | None = None,
                      committer: JSON | None = None) -> JSON:
        """https://docs.github.com/rest/git/commits#create-a-commit

        A repeated call at worst leaves an unreferenced commit object (nothing points at it
        until ``update_ref``), so it may be retried.
        """
        body = _compact({"message": message, "tree": tree, "parents": parents,
                         "author": author, "committer": committer})
        return self.transport.request(
            "POST", "/repos/{owner}/{repo}/git/commits", path={"owner": owner, "repo": repo},
            json_body=body, idempotent=True).data

    def get_ref(self, owner: str, repo: str, ref: str) -> JSON:
        """https://docs.github.com/rest/git/refs#get-a-reference

        ``ref`` without ``refs/``: ``heads/main``.
        """
        return self._get("/repos/{owner}/{repo}/git/ref/{ref}", cacheable=False, owner=owner,
                         repo=repo, ref=ref.removeprefix("refs/"))

    def create_ref(self, owner: str, repo: str, ref: str, sha: str) -> JSON:
        """https://docs.github.com/rest/git/refs#create-a-reference

        ``ref`` is fully qualified (``refs/heads/fortify-fixes``).
        """
        full = ref if ref.startswith("refs/") else f"refs/{ref}"
        return self.transport.request(
            "POST", "/repos/{owner}/{repo}/git/refs", path={"owner": owner, "repo": repo},
            json_body={"ref": full, "sha": sha}).data

    def update_ref(self, owner: str, repo: str, ref: str, sha: str, *,
                   force: bool = False) -> JSON:
        """https://docs.github.com/rest/git/refs#update-a-reference

        Setting a ref to a sha is idempotent, so a lost answer may be retried.
        """
        return self.transport.request(
            "PATCH", "/repos/{owner}/{repo}/git/refs/{ref}",
            path={"owner": owner, "repo": repo, "ref": ref.removeprefix("refs/")},
            json_body={"sha": sha, "force": force}, idempotent=True).data

    # ---- check runs -------------------------------------------------------------------------

    def get_check_run(self, owner: str, repo: str, check_run_id: int) -> JSON:
        """https://docs.github.com/rest/checks/runs#get-a-check-run"""
        return self._get("/repos/{owner}/{repo}/check-runs/{check_run_id}", cacheable=False,
                         owner=owner, repo=repo, check_run_id=check_run_id)

    def list_check_runs_for_ref(self, owner: str, repo: str, ref: str, *,
                                check_name: str | None = None, status: str | None = None,
                                filter: str | None = None,
                                app_id: int | None = None) -> Iterator[JSON]:
        """https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference"""
        return self.transport.paginate(
            "/repos/{owner}/{repo}/commits/{ref}/check-runs",
            path={"owner": owner, "repo": repo, "ref": ref}, item_key="check_runs",
            params={"check_name": check_name, "status": status, "filter": filter,
                    "app_id": app_id})

    def find_check_run(self, owner: str, repo: str, *, name: str, head_sha: str,
                       external_id: str) -> JSON | None:
        """Our run for this commit, name and ``external_id``, if it exists (latest first)."""
        for run in self.list_check_runs_for_ref(owner, repo, head_sha, check_name=name,
                                                filter="all"):
            if run.get("external_id") == external_id and run.get("head_sha") == head_sha:
                return run
        return None

    def create_check_run(self, owner: str, repo: str, *, name: str, head_sha: str,
                         external_id: str, status: str = "queued",
                         details_url: str | None = None, output: CheckRunOutput | None = None,
                         actions: list[CheckRunAction] | None = None,
                         started_at: datetime | str | None = None,
                         conclusion: str | None = None,
                         completed_at: datetime | str | None = None) -> JSON:
        """https://docs.github.com/rest/checks/runs#create-a-check-run

        Idempotent by (name, head SHA, ``external_id``): an existing run is returned as is,
        and a create whose answer was lost (timeout, 5xx) is looked up before it is tried
        again, so retries never produce two runs.
        """
        body = _compact({
            "name": name, "head_sha": head_sha, "external_id": external_id, "status": status,
            "details_url": details_url, "output": output, "actions": actions,
            "started_at": _iso(started_at), "conclusion": conclusion,
            "completed_at": _iso(completed_at),
        })
        settings = conf()
        attempt = 0
        while True:
            existing = self.find_check_run(owner, repo, name=name, head_sha=head_sha,
                                           external_id=external_id)
            if existing is not None:
                if attempt:
                    logger.info("A check run create whose answer was lost had been applied; "
                                "using it", extra={"check_run_id": existing.get("id")})
                return existing
            attempt += 1
            try:
                return self.transport.request(
                    "POST", "/repos/{owner}/{repo}/check-runs",
                    path={"owner": owner, "repo": repo}, json_body=body, idempotent=False).data
            except (ServerError, Unavailable) as error:
                if isinstance(error, CircuitOpen) or attempt >= settings.retry_max_attempts:
                    raise
                time.sleep(max(backoff_delay(attempt, settings), error.retry_after or 0.0))

    def update_check_run(self, owner: str, repo: str, check_run_id: int,
                         **fields: Any) -> JSON:
        """https://docs.github.com/rest/checks/runs#update-a-check-run

        ``fields`` as in GitHub's body (``status``, ``conclusion``, ``output``, ``actions``...).
        Setting fields is idempotent; note that repeating a PATCH with ``output.annotations``
        appends them again, so such calls are not repeated after a lost answer.
        """
        for stamp in ("started_at", "completed_at"):
            if stamp in fields:
                fields[stamp] = _iso(fields[stamp])
        has_annotations = bool((fields.get("output") or {}).get("annotations"))
        return self.transport.request(
            "PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}",
            path={"owner": owner, "repo": repo, "check_run_id": check_run_id},
            json_body=_compact(fields), idempotent=not has_annotations).data

    # ---- branches and protection ------------------------------------------------------------

    def get_branch(self, owner: str, repo: str, branch: str) -> JSON:
        """https://docs.github.com/rest/branches/branches#get-a-branch"""
        return self._get("/repos/{owner}/{repo}/branches/{branch}", owner=owner, repo=repo,
                         branch=branch)

    def get_branch_protection(self, owner: str, repo: str, branch: str) -> JSON:
        """https://docs.github.com/rest/branches/branch-protection#get-branch-protection

        404 (``NotFound``) when the branch is not protected.
        """
        return self._get("/repos/{owner}/{repo}/branches/{branch}/protection", cacheable=False,
                         owner=owner, repo=repo, branch=branch)

    def update_branch_protection(self, owner: str, repo: str, branch: str,
                                 protection: JSON) -> JSON:
        """https://docs.github.com/rest/branches/branch-protection#update-branch-protection

        PUT replaces the whole protection: pass every setting to keep (the four required
        keys ``required_status_checks``, ``enforce_admins``,
        ``required_pull_request_reviews``, ``restrictions`` may be null). GitHub's schema
        requires ``required_status_checks.contexts`` (deprecated) even alongside ``checks``:
        send ``"contexts": []`` then.
        """
        return self.transport.request(
            "PUT", "/repos/{owner}/{repo}/branches/{branch}/protection",
            path={"owner": owner, "repo": repo, "branch": branch}, json_body=protection).data

    def delete_branch_protection(self, owner: str, repo: str, branch: str) -> None:
        """https://docs.github.com/rest/branches/branch-protection#delete-branch-protection"""
        self.transport.request("DELETE", "/repos/{owner}/{repo}/branches/{branch}/protection",
                               path={"owner": owner, "repo": repo, "branch": branch})

    def get_required_status_checks(self, owner: str, repo: str, branch: str) -> JSON:
        """https://docs.github.com/rest/branches/branch-protection#get-status-checks-protection"""
        return self._get(
            "/repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks",
            cacheable=False, owner=owner, repo=repo, branch=branch)

    def update_required_status_checks(self, owner: str, repo: str, branch: str, *,
                                      strict: bool | None = None,
                                      checks: list[JSON] | None = None,
                                      contexts: list[str] | None = None) -> JSON:
        """https://docs.github.com/rest/branches/branch-protection#update-status-check-protection

        ``checks`` (``[{"context": name, "app_id": id}]``) pins a check to our App; GitHub
        deprecates ``contexts`` in favour of it.
        """
        body = _compact({"strict": strict, "checks": checks, "contexts": contexts})
        return self.transport.request(
            "PATCH", "/repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks",
            path={"owner": owner, "repo": repo, "branch": branch}, json_body=body,
            idempotent=True).data

    def add_status_check_contexts(self, owner: str, repo: str, branch: str,
                                  contexts: Iterable[str]) -> list[str]:
        """https://docs.github.com/rest/branches/branch-protection#add-status-check-contexts

        Adding a context already present changes nothing, so it is safe to repeat.
        """
        return self.transport.request(
            "POST",
            "/repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks/contexts",
            path={"owner": owner, "repo": repo, "branch": branch},
            json_body={"contexts": list(contexts)}, idempotent=True).data

    def remove_status_check_contexts(self, owner: str, repo: str, branch: str,
                                     contexts: Iterable[str]) -> list[str]:
        """https://docs.github.com/rest/branches/branch-protection#remove-status-check-contexts"""
        return self.transport.request(
            "DELETE",
            "/repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks/contexts",
            path={"owner": owner, "repo": repo, "branch": branch},
            json_body={"contexts": list(contexts)}).data

    # ---- users ------------------------------------------------------------------------------

    def get_authenticated_user(self) -> JSON:
        """https://docs.github.com/rest/users/users#get-the-authenticated-user"""
        return self._get("/user")

    def get_user(self, username: str) -> JSON:
        """https://docs.github.com/rest/users/users#get-a-user"""
        return self._get("/users/{username}", username=username)

    def get_org_membership_for_authenticated_user(self, org: str) -> JSON:
        """https://docs.github.com/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user"""
        return self._get("/user/memberships/orgs/{org}", org=org)

    def list_user_emails(self) -> Iterator[JSON]:
        """https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user"""
        return self.transport.paginate("/user/emails")

    def list_user_installations(self) -> Iterator[JSON]:
        """https://docs.github.com/rest/apps/installations#list-app-installations-accessible-to-the-user-access-token"""
        return self.transport.paginate("/user/installations", item_key="installations")

    def list_user_installation_repositories(self, installation_id: int) -> Iterator[JSON]:
        """https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-user-access-token"""
        return self.transport.paginate("/user/installations/{installation_id}/repositories",
                                       path={"installation_id": installation_id},
                                       item_key="repositories")

    # ---- meta -------------------------------------------------------------------------------

    def get_rate_limit(self) -> JSON:
        """https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user

        Does not spend the budget; the answer also refreshes what we remember of it.
        """
        reply: Reply = self.transport.request("GET", "/rate_limit")
        return reply.data
