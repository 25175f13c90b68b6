"""GitHub's JSON shapes for sandbox records, field for field as the REST reference documents them.

The REST API and the web pages share one base URL here (`base`), where GitHub has
api.github.com and github.com.
"""

from __future__ import annotations

import base64
from typing import Any

from .clock import iso8601
from .credentials import AppCredentials
from .identifiers import node_id
from .models import Account, CheckRun, CheckSuite, Installation, PullRequest, Repository

DOCS = "https://docs.github.com/rest"


def user_json(account: Account, base: str) -> dict[str, Any]:
    """`simple-user`: what GitHub embeds as `owner`, `user`, `sender`, `account`."""
    api = f"{base}/users/{account.login}"
    return {
        "login": account.login,
        "id": account.id,
        "node_id": node_id("Organization" if account.is_org else "User", account.id),
        "avatar_url": f"{base}/avatars/u/{account.id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{base}/{account.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": account.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def public_user_json(account: Account, base: str) -> dict[str, Any]:
    """`GET /users/{username}`: `public-user` (the email only if the user made it public;
    the sandbox's users all do)."""
    created = iso8601(account.created_at)
    return {
        **user_json(account, base),
        "name": account.name, "company": None, "blog": "", "location": None,
        "email": account.email, "hireable": None, "bio": None, "twitter_username": None,
        "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
        "created_at": created, "updated_at": created,
    }


def private_user_json(account: Account, base: str, repo_count: int) -> dict[str, Any]:
    """`GET /user` for the signed-in user: `simple-user` plus the private profile fields."""
    created = iso8601(account.created_at)
    return {
        **user_json(account, base),
        "user_view_type": "private",
        "name": account.name, "company": None, "blog": "", "location": None,
        "email": account.email, "hireable": None, "bio": None, "twitter_username": None,
        "notification_email": account.email,
        "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
        "created_at": created, "updated_at": created,
        "private_gists": 0, "total_private_repos": repo_count, "owned_private_repos": repo_count,
        "disk_usage": 0, "collaborators": 0, "two_factor_authentication": True,
        "plan": {"name": "free", "space": 976562499, "collaborators": 0, "private_repos": 10000},
    }


def repository_json(repo: Repository, base: str, *, full: bool = False,
                    permissions: dict[str, bool] | None = None) -> dict[str, Any]:
    """`repository` (in lists and payloads) or `full-repository` (`GET /repos/{owner}/{repo}`)."""
    api = f"{base}/repos/{repo.full_name}"
    html = f"{base}/{repo.full_name}"
    created, pushed = iso8601(repo.created_at), iso8601(repo.pushed_at or repo.created_at)
    data: dict[str, Any] = {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": user_json(repo.owner, base),
        "html_url": html,
        "description": repo.description,
        "fork": repo.fork_of is not None,
        "url": api,
        "forks_url": f"{api}/forks",
        "keys_url": f"{api}/keys{{/key_id}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "teams_url": f"{api}/teams",
        "hooks_url": f"{api}/hooks",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "events_url": f"{api}/events",
        "assignees_url": f"{api}/assignees{{/user}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "tags_url": f"{api}/tags",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "languages_url": f"{api}/languages",
        "stargazers_url": f"{api}/stargazers",
        "contributors_url": f"{api}/contributors",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "commits_url": f"{api}/commits{{/sha}}",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "comments_url": f"{api}/comments{{/number}}",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "merges_url": f"{api}/merges",
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{api}/downloads",
        "issues_url": f"{api}/issues{{/number}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "labels_url": f"{api}/labels{{/name}}",
        "releases_url": f"{api}/releases{{/id}}",
        "deployments_url": f"{api}/deployments",
        "created_at": created,
        "updated_at": pushed,
        "pushed_at": pushed,
        "git_url": f"git://{base.split('://', 1)[-1]}/{repo.full_name}.git",
        "ssh_url": f"git@sandbox:{repo.full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": sum(len(b) for b in repo.store.blobs.values()) // 1024,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": repo.language,
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 0,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "custom_properties": {},
        "visibility": "private" if repo.private else "public",
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": repo.default_branch,
    }
    data.update({
        "allow_squash_merge": True, "allow_merge_commit": True, "allow_rebase_merge": True,
        "allow_auto_merge": False, "delete_branch_on_merge": False,
        "allow_update_branch": False, "use_squash_pr_title_as_default": False,
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "merge_commit_message": "PR_TITLE", "merge_commit_title": "MERGE_MESSAGE",
    })
    if permissions is not None:
        data["permissions"] = permissions
    if full:
        data.update({
            "temp_clone_token": None,
            "network_count": 0,
            "subscribers_count": 1,
        })
        if repo.owner.is_org:
            data["organization"] = user_json(repo.owner, base)
        if repo.fork_of is not None:
            data["parent"] = repository_json(repo.fork_of, base)
            data["source"] = repository_json(repo.fork_of, base)
    return data


def repository_summary_json(repo: Repository) -> dict[str, Any]:
    """The five-field repository of `installation`/`installation_repositories` payloads."""
    return {"id": repo.id, "node_id": node_id("Repository", repo.id), "name": repo.name,
            "full_name": repo.full_name, "private": repo.private}


def app_json(app: AppCredentials, owner: Account, base: str,
             installations_count: int | None = None) -> dict[str, Any]:
    """`integration`: `GET /app` and the `app` of check runs and suites."""
    data: dict[str, Any] = {
        "id": app.id,
        "slug": app.slug,
        "node_id": node_id("App", app.id),
        "client_id": app.client_id,
        "owner": user_json(owner, base),
        "name": app.name,
        "description": "Fortify static analysis for pull requests (sandbox).",
        "external_url": "https://www.fortify.com",
        "html_url": f"{base}/apps/{app.slug}",
        "created_at": "2024-01-15T10:00:00Z",
        "updated_at": "2024-01-15T10:00:00Z",
        "permissions": dict(app.permissions),
        "events": list(app.events),
    }
    if installations_count is not None:
        data["installations_count"] = installations_count
    return data


def installation_json(inst: Installation, app: AppCredentials, base: str) -> dict[str, Any]:
    """`installation`: `GET /app/installations/{id}` and the `installation` of its webhooks."""
    return {
        "id": inst.id,
        "client_id": app.client_id,
        "account": user_json(inst.account, base),
        "repository_selection": inst.repository_selection,
        "access_tokens_url": f"{base}/app/installations/{inst.id}/access_tokens",
        "repositories_url": f"{base}/installation/repositories",
        "html_url": (f"{base}/organizations/{inst.account.login}/settings/installations/{inst.id}"
                     if inst.account.is_org else f"{base}/settings/installations/{inst.id}"),
        "app_id": app.id,
        "app_slug": app.slug,
        "target_id": inst.account.id,
        "target_type": inst.account.type,
        "permissions": dict(inst.permissions),
        "events": list(inst.events),
        "created_at": iso8601(inst.created_at),
        "updated_at": iso8601(inst.updated_at),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": iso8601(inst.suspended_at) if inst.suspended_at else None,
    }


def _branch_end(pr: PullRequest, side: str, base: str) -> dict[str, Any]:
    repo = pr.head_repo if side == "head" else pr.repo
    ref = pr.head_ref if side == "head" else pr.base_ref
    sha = pr.head_sha if side == "head" else pr.base_sha
    return {"label": f"{repo.owner.login}:{ref}", "ref": ref, "sha": sha,
            "user": user_json(repo.owner, base), "repo": repository_json(repo, base)}


def pull_request_json(pr: PullRequest, base: str, *, full: bool = False,
                      stats: dict[str, int] | None = None) -> dict[str, Any]:
    """`pull-request-simple` (lists) or `pull-request` (`GET .../pulls/{n}`, webhook payloads)."""
    api = f"{base}/repos/{pr.repo.full_name}"
    html = f"{base}/{pr.repo.full_name}/pull/{pr.number}"
    data: dict[str, Any] = {
        "url": f"{api}/pulls/{pr.number}",
        "id": pr.id,
        "node_id": node_id("PullRequest", pr.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{pr.number}",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user_json(pr.user, base),
        "body": pr.body,
        "created_at": iso8601(pr.created_at),
        "updated_at": iso8601(pr.updated_at),
        "closed_at": iso8601(pr.closed_at) if pr.closed_at else None,
        "merged_at": iso8601(pr.merged_at) if pr.merged_at else None,
        "merge_commit_sha": pr.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "draft": pr.draft,
        "commits_url": f"{api}/pulls/{pr.number}/commits",
        "review_comments_url": f"{api}/pulls/{pr.number}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{pr.number}/comments",
        "statuses_url": f"{api}/statuses/{pr.head_sha}",
        "head": _branch_end(pr, "head", base),
        "base": _branch_end(pr, "base", base),
        "_links": {
            "self": {"href": f"{api}/pulls/{pr.number}"},
            "html": {"href": html},
            "issue": {"href": f"{api}/issues/{pr.number}"},
            "comments": {"href": f"{api}/issues/{pr.number}/comments"},
            "review_comments": {"href": f"{api}/pulls/{pr.number}/comments"},
            "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/pulls/{pr.number}/commits"},
            "statuses": {"href": f"{api}/statuses/{pr.head_sha}"},
        },
        "author_association": "MEMBER" if not pr.is_fork else "CONTRIBUTOR",
        "auto_merge": None,
        "active_lock_reason": None,
    }
    if full:
        stats = stats or {}
        data.update({
            "merged": pr.merged_at is not None,
            "mergeable": True if pr.state == "open" else None,
            "rebaseable": True if pr.state == "open" else None,
            "mergeable_state": "clean" if pr.state == "open" else "unknown",
            "merged_by": None,
            "comments": 0,
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": stats.get("commits", 1),
            "additions": stats.get("additions", 0),
            "deletions": stats.get("deletions", 0),
            "changed_files": stats.get("changed_files", 0),
        })
    return data


def pull_request_minimal_json(pr: PullRequest, base: str) -> dict[str, Any]:
    """`pull-request-minimal`: the `pull_requests` of check runs and suites."""
    def end(repo: Repository, ref: str, sha: str) -> dict[str, Any]:
        return {"ref": ref, "sha": sha, "repo": {"id": repo.id, "name": repo.name,
                                                "url": f"{base}/repos/{repo.full_name}"}}
    return {
        "url": f"{base}/repos/{pr.repo.full_name}/pulls/{pr.number}",
        "id": pr.id,
        "number": pr.number,
        "head": end(pr.head_repo, pr.head_ref, pr.head_sha),
        "base": end(pr.repo, pr.base_ref, pr.base_sha),
    }


def check_suite_json(suite: CheckSuite, app: dict[str, Any], base: str,
                     pull_requests: list[dict[str, Any]], runs_count: int,
                     head_commit: dict[str, Any] | None = None) -> dict[str, Any]:
    api = f"{base}/repos/{suite.repo.full_name}/check-suites/{suite.id}"
    data: dict[str, Any] = {
        "id": suite.id,
        "node_id": node_id("CheckSuite", suite.id),
        "head_branch": suite.head_branch,
        "head_sha": suite.head_sha,
        "status": suite.status,
        "conclusion": suite.conclusion,
        "url": api,
        "before": suite.before,
        "after": suite.head_sha,
        "pull_requests": pull_requests,
        "app": app,
        "created_at": iso8601(suite.created_at),
        "updated_at": iso8601(suite.updated_at),
        "rerequestable": True,
        "runs_rerequestable": False,
        "latest_check_runs_count": runs_count,
        "check_runs_url": f"{api}/check-runs",
    }
    if head_commit is not None:
        data["head_commit"] = head_commit
    return data


def check_run_json(run: CheckRun, app: dict[str, Any], base: str,
                   pull_requests: list[dict[str, Any]], *,
                   suite: dict[str, Any] | None = None) -> dict[str, Any]:
    """`check-run`; webhooks pass the whole `suite`, the REST API only `{"id": ...}`."""
    api = f"{base}/repos/{run.repo.full_name}/check-runs/{run.id}"
    return {
        "id": run.id,
        "name": run.name,
        "node_id": node_id("CheckRun", run.id),
        "head_sha": run.head_sha,
        "external_id": run.external_id,
        "url": api,
        "html_url": f"{base}/{run.repo.full_name}/runs/{run.id}",
        "details_url": run.details_url,
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": iso8601(run.started_at) if run.started_at else None,
        "completed_at": iso8601(run.completed_at) if run.completed_at else None,
        "output": {
            "title": run.output.get("title"),
            "summary": run.output.get("summary"),
            "text": run.output.get("text"),
            "annotations_count": len(run.annotations),
            "annotations_url": f"{api}/annotations",
        },
        "check_suite": suite if suite is not None else {"id": run.suite.id},
        "app": app,
        "pull_requests": pull_requests,
    }


def annotation_json(run: CheckRun, annotation: dict[str, Any], base: str) -> dict[str, Any]:
    """`check-annotation`: the stored annotation with GitHub's `blob_href` and nulls filled in."""
    return {
        "path": annotation["path"],
        "blob_href": f"{base}/{run.repo.full_name}/blob/{run.head_sha}/{annotation['path']}",
        "start_line": annotation["start_line"],
        "start_column": annotation.get("start_column"),
        "end_line": annotation["end_line"],
        "end_column": annotation.get("end_column"),
        "annotation_level": annotation["annotation_level"],
        "title": annotation.get("title") or "",
        "message": annotation["message"],
        "raw_details": annotation.get("raw_details") or "",
    }


def encode_content(data: bytes) -> str:
    """Base64 wrapped at 60 characters per line, exactly as the contents and blobs APIs send it."""
    encoded = base64.b64encode(data).decode()
    return "".join(encoded[i:i + 60] + "\n" for i in range(0, len(encoded), 60))


def error_json(message: str, status: int, *, errors: list[dict[str, Any]] | None = None,
               documentation_url: str = DOCS) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "documentation_url": documentation_url,
                            "status": str(status)}
    if errors is not None:
        body["errors"] = errors
    return body


def git_commit_json(repo: Repository, sha: str, base: str) -> dict[str, Any]:
    """`git-commit` (Git Data API)."""
    commit = repo.store.commits[sha]
    api = f"{base}/repos/{repo.full_name}"
    return {
        "sha": sha,
        "node_id": node_id("Commit", int(sha[:12], 16)),
        "url": f"{api}/git/commits/{sha}",
        "html_url": f"{base}/{repo.full_name}/commit/{sha}",
        "author": {"name": commit.author.name, "email": commit.author.email,
                   "date": iso8601(commit.author.timestamp)},
        "committer": {"name": commit.committer.name, "email": commit.committer.email,
                      "date": iso8601(commit.committer.timestamp)},
        "tree": {"sha": commit.tree, "url": f"{api}/git/trees/{commit.tree}"},
        "message": commit.message,
        "parents": [{"sha": p, "url": f"{api}/git/commits/{p}",
                     "html_url": f"{base}/{repo.full_name}/commit/{p}"} for p in commit.parents],
        "verification": {"verified": False, "reason": "unsigned", "signature": None,
                         "payload": None, "verified_at": None},
    }


def commit_json(repo: Repository, sha: str, base: str,
                author: Account | None = None) -> dict[str, Any]:
    """`commit` (REST commits API, branches, compare)."""
    git = git_commit_json(repo, sha, base)
    api = f"{base}/repos/{repo.full_name}"
    who = user_json(author, base) if author else {}
    return {
        "sha": sha,
        "node_id": git["node_id"],
        "commit": {
            "author": git["author"], "committer": git["committer"], "message": git["message"],
            "tree": git["tree"], "url": git["url"], "comment_count": 0,
            "verification": git["verification"],
        },
        "url": f"{api}/commits/{sha}",
        "html_url": git["html_url"],
        "comments_url": f"{api}/commits/{sha}/comments",
        "author": who,
        "committer": who,
        "parents": [{"sha": p["sha"], "url": f"{api}/commits/{p['sha']}",
                     "html_url": p["html_url"]} for p in git["parents"]],
    }
