"""Pull request endpoints: list, get, files (with real unified-diff patches), PRs of a commit."""

from __future__ import annotations

from ..diffs import diff_entries
from ..models import PullRequest, Repository
from ..representations import pull_request_json
from ..state import NotFound
from .framework import ApiError, Context, Reply, not_found, route

MAX_PR_FILES = 3000  # GitHub lists at most 3000 files of a pull request


def _pull(ctx: Context, repo: Repository, number: str) -> PullRequest:
    try:
        return ctx.state.pull_request(repo.owner.login, repo.name, ctx.integer(number))
    except NotFound:
        raise not_found() from None


@route("GET", "/repos/<owner>/<repo>/pulls", permission=("pull_requests", "read"))
def list_pulls(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/pulls/pulls#list-pull-requests"""
    target = ctx.repo(owner, repo)
    state_filter = ctx.args.get("state", "open")
    if state_filter not in ("open", "closed", "all"):
        raise ApiError(422, "Validation Failed", errors=[
            {"resource": "Issue", "field": "state", "code": "invalid"}])
    with ctx.state.lock:
        pulls = list(ctx.state.pulls.get(target.id, []))
    if state_filter != "all":
        pulls = [p for p in pulls if p.state == state_filter]
    head = ctx.args.get("head")
    if head:
        head_owner, _, head_ref = head.partition(":")
        pulls = [p for p in pulls if p.head_repo.owner.login.lower() == head_owner.lower()
                 and (not head_ref or p.head_ref == head_ref)]
    if ctx.args.get("base"):
        pulls = [p for p in pulls if p.base_ref == ctx.args["base"]]
    reverse = ctx.args.get("direction", "desc") == "desc"
    key = (lambda p: p.updated_at) if ctx.args.get("sort") == "updated" else (lambda p: p.number)
    pulls.sort(key=key, reverse=reverse)
    page, headers = ctx.page(pulls)
    return Reply(body=[pull_request_json(p, ctx.base) for p in page], headers=headers)


@route("POST", "/repos/<owner>/<repo>/pulls", permission=("pull_requests", "write"))
def create_pull(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/pulls/pulls#create-a-pull-request (same-repository heads;
    sends `pull_request.opened` like any other pull request)."""
    target = ctx.repo(owner, repo)
    body = ctx.json()
    head, base = body.get("head"), body.get("base")
    if not isinstance(head, str) or not isinstance(base, str) or not isinstance(
            body.get("title"), str):
        raise ApiError(422, "Validation Failed", errors=[
            {"resource": "PullRequest", "field": "head" if not isinstance(head, str) else
             "base" if not isinstance(base, str) else "title", "code": "missing_field"}])
    head = head.split(":", 1)[-1]
    if head not in target.branches or base not in target.branches:
        raise ApiError(422, "Validation Failed", errors=[
            {"resource": "PullRequest", "field": "head" if head not in target.branches
             else "base", "code": "invalid"}])
    with ctx.state.lock:
        existing = [p for p in ctx.state.pulls.get(target.id, [])
                    if p.state == "open" and p.head_ref == head and p.base_ref == base]
    if existing:
        raise ApiError(422, "Validation Failed", errors=[
            {"resource": "PullRequest", "code": "custom",
             "message": f"A pull request already exists for {owner}:{head}."}])
    author = ctx.caller.user.login if ctx.caller.user is not None else (
        target.owner.login if not target.owner.is_org else ctx.state.signed_in_login)
    pull = ctx.state.open_pull_request(target.owner.login, target.name, head, base,
                                       title=body["title"], body=body.get("body"),
                                       draft=bool(body.get("draft")), user=author)
    return Reply(201, pull)


@route("GET", "/repos/<owner>/<repo>/pulls/<number>", permission=("pull_requests", "read"))
def get_pull(ctx: Context, owner: str, repo: str, number: str) -> Reply:
    """https://docs.github.com/rest/pulls/pulls#get-a-pull-request"""
    target = ctx.repo(owner, repo)
    return Reply(body=ctx.state.pull_request_json(_pull(ctx, target, number)))


@route("GET", "/repos/<owner>/<repo>/pulls/<number>/files", permission=("pull_requests", "read"))
def list_pull_files(ctx: Context, owner: str, repo: str, number: str) -> Reply:
    """https://docs.github.com/rest/pulls/pulls#list-pull-requests-files"""
    target = ctx.repo(owner, repo)
    pr = _pull(ctx, target, number)
    with ctx.state.lock:
        files = diff_entries(pr.repo, ctx.base, ctx.state.pull_merge_base(pr), pr.head_sha,
                             pr.head_repo)[:MAX_PR_FILES]
    page, headers = ctx.page(files)
    return Reply(body=page, headers=headers)


@route("GET", "/repos/<owner>/<repo>/commits/<commit_sha>/pulls",
       permission=("pull_requests", "read"))
def list_pulls_for_commit(ctx: Context, owner: str, repo: str, commit_sha: str) -> Reply:
    """https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit"""
    target = ctx.repo(owner, repo)
    sha = ctx.commit_sha(target, commit_sha)
    with ctx.state.lock:
        pulls = [p for p in ctx.state.pulls.get(target.id, [])
                 if sha in p.head_repo.store.ancestors(p.head_sha)
                 and sha not in target.store.ancestors(target.branches.get(p.base_ref, ""))]
    page, headers = ctx.page(pulls)
    return Reply(body=[pull_request_json(p, ctx.base) for p in page], headers=headers)
