"""Git Data endpoints: blobs, trees, commits and branch refs."""

from __future__ import annotations

import base64
import binascii
import zlib
from datetime import datetime
from typing import Any

from ..gitstore import FILE_MODE, Signature
from ..identifiers import node_id
from ..models import Repository
from ..representations import encode_content, git_commit_json
from .framework import ApiError, Context, Reply, not_found, route, validation_failed

READ = ("contents", "read")
WRITE = ("contents", "write")


def _tree_json(repo: Repository, base: str, tree_sha: str, recursive: bool) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}/git"
    store = repo.store
    entries = (store.walk(tree_sha) if recursive
               else [(e.name, e) for e in store.trees[tree_sha]])
    tree = []
    for path, entry in entries:
        item: dict[str, Any] = {"path": path, "mode": entry.mode, "type": entry.type,
                                "sha": entry.sha}
        if entry.type == "blob":
            item["size"] = len(store.blobs[entry.sha])
            item["url"] = f"{api}/blobs/{entry.sha}"
        else:
            item["url"] = f"{api}/trees/{entry.sha}"
        tree.append(item)
    return {"sha": tree_sha, "url": f"{api}/trees/{tree_sha}", "tree": tree, "truncated": False}


@route("GET", "/repos/<owner>/<repo>/git/trees/<path:tree_sha>", permission=READ)
def get_tree(ctx: Context, owner: str, repo: str, tree_sha: str) -> Reply:
    """https://docs.github.com/rest/git/trees#get-a-tree (a commit sha or branch also works)"""
    target = ctx.repo(owner, repo)
    store = target.store
    sha = tree_sha
    if sha not in store.trees:
        try:
            sha = store.commits[ctx.state.resolve_ref(target, tree_sha)].tree
        except (LookupError, KeyError):
            raise not_found() from None
    recursive = ctx.args.get("recursive") not in (None, "", "0", "false")
    return Reply(body=_tree_json(target, ctx.base, sha, recursive))


@route("GET", "/repos/<owner>/<repo>/git/blobs/<file_sha>", permission=READ)
def get_blob(ctx: Context, owner: str, repo: str, file_sha: str) -> Reply:
    """https://docs.github.com/rest/git/blobs#get-a-blob"""
    target = ctx.repo(owner, repo)
    data = target.store.blobs.get(file_sha)
    if data is None:
        raise not_found()
    return Reply(body={
        "sha": file_sha, "node_id": node_id("Blob", int(file_sha[:12], 16)), "size": len(data),
        "url": f"{ctx.base}/repos/{target.full_name}/git/blobs/{file_sha}",
        "content": encode_content(data), "encoding": "base64",
    })


@route("POST", "/repos/<owner>/<repo>/git/blobs", permission=WRITE)
def create_blob(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/git/blobs#create-a-blob"""
    target = ctx.repo(owner, repo)
    body = ctx.json()
    content = body.get("content")
    if not isinstance(content, str):
        raise validation_failed([{"resource": "Blob", "field": "content", "code": "missing_field"}])
    if body.get("encoding", "utf-8") == "base64":
        try:
            data = base64.b64decode(content, validate=False)
        except binascii.Error:
            raise validation_failed([{"resource": "Blob", "field": "content",
                                      "code": "invalid"}]) from None
    else:
        data = content.encode()
    with ctx.state.lock:
        sha = target.store.put_blob(data)
    return Reply(201, {"sha": sha,
                       "url": f"{ctx.base}/repos/{target.full_name}/git/blobs/{sha}"})


@route("POST", "/repos/<owner>/<repo>/git/trees", permission=WRITE)
def create_tree(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/git/trees#create-a-tree"""
    target = ctx.repo(owner, repo)
    body = ctx.json()
    entries = body.get("tree")
    if not isinstance(entries, list):
        raise validation_failed([{"resource": "Tree", "field": "tree", "code": "missing_field"}])
    store = target.store
    with ctx.state.lock:
        files: dict[str, str] = {}
        base_tree = body.get("base_tree")
        if base_tree:
            if base_tree not in store.trees:
                raise ApiError(422, "Invalid tree info")
            files = {p: e.sha for p, e in store.walk(base_tree) if e.type == "blob"}
        for entry in entries:
            path = str(entry.get("path", "")).strip("/")
            if not path or entry.get("mode", FILE_MODE) not in ("100644", "100755", "120000"):
                raise ApiError(422, "Invalid tree info")
            if "content" in entry:
                files[path] = store.put_blob(str(entry["content"]).encode())
            elif entry.get("sha") is None:
                files.pop(path, None)
            elif entry["sha"] in store.blobs:
                files[path] = entry["sha"]
            else:
                raise ApiError(422, "Invalid tree info")
        sha = store.write_tree(files)
        return Reply(201, _tree_json(target, ctx.base, sha, recursive=False))


@route("GET", "/repos/<owner>/<repo>/git/commits/<commit_sha>", permission=READ)
def get_git_commit(ctx: Context, owner: str, repo: str, commit_sha: str) -> Reply:
    """https://docs.github.com/rest/git/commits#get-a-commit-object"""
    target = ctx.repo(owner, repo)
    if commit_sha not in target.store.commits:
        raise not_found()
    return Reply(body=git_commit_json(target, commit_sha, ctx.base))


def _signature(data: Any, fallback: Signature) -> Signature:
    if not isinstance(data, dict) or "name" not in data or "email" not in data:
        return fallback
    when = fallback.timestamp
    if data.get("date"):
        when = datetime.fromisoformat(str(data["date"]).replace("Z", "+00:00")).timestamp()
    return Signature(str(data["name"]), str(data["email"]), when)


@route("POST", "/repos/<owner>/<repo>/git/commits", permission=WRITE)
def create_git_commit(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/git/commits#create-a-commit"""
    target = ctx.repo(owner, repo)
    body = ctx.json()
    message, tree, parents = body.get("message"), body.get("tree"), body.get("parents", [])
    if not isinstance(message, str) or not isinstance(tree, str):
        raise validation_failed([{"resource": "Commit", "field": "message" if not isinstance(
            message, str) else "tree", "code": "missing_field"}])
    store = target.store
    if tree not in store.trees:
        raise ApiError(422, "Tree SHA does not exist")
    if any(p not in store.commits for p in parents):
        raise ApiError(422, "Parent SHA does not exist or is not a commit object")
    default = Signature("Fortify Sandbox[bot]", "fortify-sandbox[bot]@users.noreply.github.com",
                        ctx.state.clock.now())
    author = _signature(body.get("author"), default)
    committer = _signature(body.get("committer"), author)
    with ctx.state.lock:
        commit = store.put_commit(tree, list(parents), message, author, committer)
    return Reply(201, git_commit_json(target, commit.sha, ctx.base))


def _ref_json(repo: Repository, base: str, branch: str) -> dict[str, Any]:
    sha = repo.branches[branch]
    api = f"{base}/repos/{repo.full_name}/git"
    ref_id = zlib.crc32(f"{repo.id}:{branch}".encode())
    return {"ref": f"refs/heads/{branch}", "node_id": node_id("Ref", ref_id),
            "url": f"{api}/refs/heads/{branch}",
            "object": {"type": "commit", "sha": sha, "url": f"{api}/commits/{sha}"}}


@route("GET", "/repos/<owner>/<repo>/git/ref/heads/<path:branch>", permission=READ)
@route("GET", "/repos/<owner>/<repo>/git/refs/heads/<path:branch>", permission=READ)
def get_ref(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/git/refs#get-a-reference"""
    target = ctx.repo(owner, repo)
    if branch not in target.branches:
        raise not_found()
    return Reply(body=_ref_json(target, ctx.base, branch))


@route("POST", "/repos/<owner>/<repo>/git/refs", permission=WRITE)
def create_ref(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/git/refs#create-a-reference"""
    target = ctx.repo(owner, repo)
    body = ctx.json()
    ref, sha = body.get("ref"), body.get("sha")
    if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
        raise ApiError(422, "Reference name must start with 'refs/' and have at least two "
                            "slashes.")
    if not isinstance(sha, str) or sha not in target.store.commits:
        raise ApiError(422, "Object does not exist")
    branch = ref.removeprefix("refs/heads/")
    if branch in target.branches:
        raise ApiError(422, "Reference already exists")
    events = ctx.state.move_branch(target, branch, sha)
    for event, payload in events:
        ctx.state.emit(event, payload)
    return Reply(201, _ref_json(target, ctx.base, branch))


@route("PATCH", "/repos/<owner>/<repo>/git/refs/heads/<path:branch>", permission=WRITE)
def update_ref(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/git/refs#update-a-reference (a push: PRs synchronize)"""
    target = ctx.repo(owner, repo)
    if branch not in target.branches:
        raise ApiError(422, "Reference does not exist")
    body = ctx.json()
    sha = body.get("sha")
    if not isinstance(sha, str) or sha not in target.store.commits:
        raise ApiError(422, "Object does not exist")
    if not body.get("force") and target.branches[branch] not in target.store.ancestors(sha):
        raise ApiError(422, "Update is not a fast forward")
    events = ctx.state.move_branch(target, branch, sha)
    for event, payload in events:
        ctx.state.emit(event, payload)
    return Reply(body=_ref_json(target, ctx.base, branch))
