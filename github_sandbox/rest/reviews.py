"""Pull request reviews with (suggestion) comments on lines of the diff."""

from __future__ import annotations

import re
from typing import Any

from ..clock import iso8601
from ..diffs import diff_entries
from ..identifiers import node_id
from ..models import PullRequest
from ..representations import user_json
from .framework import ApiError, Context, Reply, route
from .pulls import _pull

PERMISSION = ("pull_requests", "write")
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
EVENTS = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}


def right_side_lines(patch: str) -> set[int]:
    """Lines of the new file that a review comment may target: added and context lines."""
    lines: set[int] = set()
    current = 0
    for text in patch.splitlines():
        match = _HUNK.match(text)
        if match:
            current = int(match.group(1))
            continue
        if text.startswith("-") or text.startswith("\\"):
            continue
        lines.add(current)
        current += 1
    return lines


def _bot(ctx: Context) -> dict[str, Any]:
    """Reviews posted with an installation token are authored by the App's bot user."""
    app = ctx.state.app
    bot_id = 41_000_000 + app.id
    user = user_json(ctx.state.account(app.owner_login), ctx.base)
    api = f"{ctx.base}/users/{app.slug}%5Bbot%5D"
    user.update({"login": f"{app.slug}[bot]", "id": bot_id, "node_id": node_id("Bot", bot_id),
                 "type": "Bot", "url": api, "html_url": f"{ctx.base}/apps/{app.slug}",
                 "avatar_url": f"{ctx.base}/avatars/u/{bot_id}?v=4"})
    return user


def _review_json(ctx: Context, pr: PullRequest, review: dict[str, Any]) -> dict[str, Any]:
    pr_url = f"{ctx.base}/repos/{pr.repo.full_name}/pulls/{pr.number}"
    html = f"{ctx.base}/{pr.repo.full_name}/pull/{pr.number}#pullrequestreview-{review['id']}"
    return {
        "id": review["id"], "node_id": node_id("PullRequestReview", review["id"]),
        "user": review["user"], "body": review["body"], "state": review["state"],
        "html_url": html, "pull_request_url": pr_url,
        "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
        "submitted_at": iso8601(review["submitted_at"]), "commit_id": review["commit_id"],
        "author_association": "NONE",
    }


@route("POST", "/repos/<owner>/<repo>/pulls/<number>/reviews", permission=PERMISSION)
def create_review(ctx: Context, owner: str, repo: str, number: str) -> Reply:
    """https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"""
    target = ctx.repo(owner, repo)
    pr = _pull(ctx, target, number)
    body = ctx.json()
    event = body.get("event")
    if event is not None and event not in EVENTS:
        raise ApiError(422, "Unprocessable Entity", errors=["Invalid event"])
    if event in ("REQUEST_CHANGES", "COMMENT") and not body.get("body") and not body.get(
            "comments"):
        raise ApiError(422, "Unprocessable Entity",
                       errors=["Body is required when using REQUEST_CHANGES or COMMENT"])
    commit_id = body.get("commit_id") or pr.head_sha
    with ctx.state.lock:
        if commit_id not in pr.head_repo.store.commits:
            raise ApiError(422, "Unprocessable Entity", errors=["Commit not found"])
        files = {entry["filename"]: entry for entry in diff_entries(
            pr.repo, ctx.base, ctx.state.pull_merge_base(pr), commit_id, pr.head_repo)}
        comments = []
        for comment in body.get("comments") or []:
            path, line = comment.get("path"), comment.get("line")
            entry = files.get(path)
            start = comment.get("start_line", line)
            allowed = right_side_lines(entry.get("patch", "")) if entry else set()
            if (not isinstance(line, int) or not isinstance(comment.get("body"), str)
                    or not isinstance(start, int) or start > line
                    or not set(range(start, line + 1)) <= allowed):
                raise ApiError(422, "Unprocessable Entity",
                               errors=["Pull request review thread line must be part of the "
                                       "diff and pull request review thread start line must "
                                       "be part of the same hunk as the line."])
            comments.append({"path": path, "line": line, "start_line": start,
                             "side": comment.get("side", "RIGHT"), "body": comment["body"]})
        reviews = ctx.state.reviews.setdefault(pr.id, [])
        review = {"id": ctx.state.next_review_id(), "user": _bot(ctx),
                  "body": body.get("body", ""), "state": EVENTS.get(event or "", "PENDING"),
                  "commit_id": commit_id, "submitted_at": ctx.state.clock.now(),
                  "comments": comments}
        reviews.append(review)
    return Reply(200, _review_json(ctx, pr, review))


@route("GET", "/repos/<owner>/<repo>/pulls/<number>/reviews", permission=("pull_requests", "read"))
def list_reviews(ctx: Context, owner: str, repo: str, number: str) -> Reply:
    """https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request"""
    target = ctx.repo(owner, repo)
    pr = _pull(ctx, target, number)
    with ctx.state.lock:
        reviews = list(ctx.state.reviews.get(pr.id, []))
    page, headers = ctx.page(reviews)
    return Reply(body=[_review_json(ctx, pr, review) for review in page], headers=headers)
