"""Repository endpoints: the repository, languages, branches, contents, compare, tarball."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from ..diffs import diff_entries
from ..languages import language_bytes
from ..models import Repository
from ..representations import commit_json, encode_content, repository_json
from .framework import ApiError, Context, Reply, not_found, route
from .protection import protection_summary

DOWNLOAD_TOKEN_TTL = 300


def _permissions(ctx: Context, repo: Repository) -> dict[str, bool]:
    admin = ctx.caller.kind == "user" and ctx.caller.user is not None and ctx.state.is_admin(
        ctx.caller.user.login, repo.owner)
    return {"admin": admin, "maintain": admin, "push": admin, "triage": True, "pull": True}


@route("GET", "/repos/<owner>/<repo>", permission=("metadata", "read"))
def get_repository(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/repos/repos#get-a-repository"""
    target = ctx.repo(owner, repo)
    return Reply(body=repository_json(target, ctx.base, full=True,
                                      permissions=_permissions(ctx, target)))


@route("GET", "/repos/<owner>/<repo>/languages", permission=("metadata", "read"))
def list_languages(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/repos/repos#list-repository-languages"""
    target = ctx.repo(owner, repo)
    files = target.store.files_of(target.branches[target.default_branch])
    return Reply(body=language_bytes(files))


@route("GET", "/repos/<owner>/<repo>/branches/<path:branch>", permission=("metadata", "read"))
def get_branch(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branches#get-a-branch"""
    target = ctx.repo(owner, repo)
    if branch not in target.branches:
        raise ApiError(404, "Branch not found")
    sha = target.branches[branch]
    api = f"{ctx.base}/repos/{target.full_name}/branches/{quote(branch, safe='')}"
    return Reply(body={
        "name": branch,
        "commit": commit_json(target, sha, ctx.base, target.owner if not target.owner.is_org
                              else None),
        "_links": {"self": api, "html": f"{ctx.base}/{target.full_name}/tree/{branch}"},
        "protected": branch in target.protection,
        "protection": protection_summary(target, branch),
        "protection_url": f"{api}/protection",
    })


def _content_item(target: Repository, base: str, path: str, kind: str, sha: str, size: int,
                  ref: str) -> dict[str, Any]:
    api = f"{base}/repos/{target.full_name}"
    git_url = f"{api}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
    html = f"{base}/{target.full_name}/{'blob' if kind == 'file' else 'tree'}/{ref}/{path}"
    url = f"{api}/contents/{quote(path)}?ref={quote(ref, safe='')}"
    return {
        "type": kind, "size": size, "name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
        "url": url, "git_url": git_url, "html_url": html,
        "download_url": f"{base}/{target.full_name}/raw/{ref}/{quote(path)}" if kind == "file"
        else None,
        "_links": {"self": url, "git": git_url, "html": html},
    }


@route("GET", "/repos/<owner>/<repo>/contents/", permission=("contents", "read"))
@route("GET", "/repos/<owner>/<repo>/contents", permission=("contents", "read"))
@route("GET", "/repos/<owner>/<repo>/contents/<path:path>", permission=("contents", "read"))
def get_content(ctx: Context, owner: str, repo: str, path: str = "") -> Reply:
    """https://docs.github.com/rest/repos/contents#get-repository-content"""
    target = ctx.repo(owner, repo)
    ref = ctx.args.get("ref") or target.default_branch
    sha = ctx.commit_sha(target, ref)
    path = path.strip("/")
    store = target.store
    entries = store.walk(store.commits[sha].tree)
    for entry_path, entry in entries:
        if entry_path == path and entry.type == "blob":
            data = store.blobs[entry.sha]
            item = _content_item(target, ctx.base, path, "file", entry.sha, len(data), ref)
            item.update({"content": encode_content(data), "encoding": "base64"})
            return Reply(body=item)
    prefix = f"{path}/" if path else ""
    listing = [
        _content_item(target, ctx.base, p, "file" if e.type == "blob" else "dir", e.sha,
                      len(store.blobs[e.sha]) if e.type == "blob" else 0, ref)
        for p, e in entries if p.startswith(prefix) and "/" not in p[len(prefix):]
    ]
    if not listing:
        raise not_found()
    return Reply(body=listing)


@route("GET", "/repos/<owner>/<repo>/compare/<path:basehead>", permission=("contents", "read"))
def compare(ctx: Context, owner: str, repo: str, basehead: str) -> Reply:
    """https://docs.github.com/rest/commits/commits#compare-two-commits"""
    target = ctx.repo(owner, repo)
    base_ref, sep, head_ref = basehead.partition("...")
    if not sep:
        raise not_found()
    head_repo = target
    if ":" in head_ref:  # `owner:branch` from a fork
        fork_owner, head_ref = head_ref.split(":", 1)
        head_repo = ctx.state.repository(fork_owner, target.name)
    base_sha = ctx.commit_sha(target, base_ref)
    head_sha = ctx.commit_sha(head_repo, head_ref)
    store = head_repo.store
    merge_base = store.merge_base(base_sha, head_sha) or base_sha
    ahead = _count_between(head_repo, head_sha, merge_base)
    behind = _count_between(target, base_sha, merge_base)
    status = ("identical" if ahead == behind == 0 else "ahead" if behind == 0
              else "behind" if ahead == 0 else "diverged")
    commits = list(reversed(store.ancestors(head_sha)[:ahead]))
    html = f"{ctx.base}/{target.full_name}/compare/{basehead}"
    page, headers = ctx.page(commits)
    return Reply(body={
        "url": f"{ctx.base}/repos/{target.full_name}/compare/{basehead}",
        "html_url": html, "permalink_url": html, "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "base_commit": commit_json(target, base_sha, ctx.base),
        "merge_base_commit": commit_json(head_repo, merge_base, ctx.base),
        "status": status, "ahead_by": ahead, "behind_by": behind, "total_commits": ahead,
        "commits": [commit_json(head_repo, sha, ctx.base) for sha in page],
        "files": diff_entries(target, ctx.base, merge_base, head_sha, head_repo),
    }, headers=headers)


def _count_between(repo: Repository, tip: str, stop: str) -> int:
    count = 0
    for sha in repo.store.ancestors(tip):
        if sha == stop:
            break
        count += 1
    return count


@route("GET", "/repos/<owner>/<repo>/tarball/", permission=("contents", "read"))
@route("GET", "/repos/<owner>/<repo>/tarball", permission=("contents", "read"))
@route("GET", "/repos/<owner>/<repo>/tarball/<path:ref>", permission=("contents", "read"))
def download_tarball(ctx: Context, owner: str, repo: str, ref: str = "") -> Reply:
    """https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar

    A 302 to a short-lived download URL, as GitHub redirects to codeload."""
    target = ctx.repo(owner, repo)
    ref = ref or target.default_branch
    sha = ctx.commit_sha(target, ref)
    token = secrets.token_urlsafe(24)
    with ctx.state.lock:
        ctx.state.download_tokens[token] = (target.full_name, sha,
                                            ctx.state.clock.now() + DOWNLOAD_TOKEN_TTL)
    location = (f"{ctx.base}/_codeload/{target.full_name}/legacy.tar.gz/"
                f"{quote(ref, safe='/')}?token={token}")
    return Reply(302, None, headers={"Location": location}, raw=b"")
