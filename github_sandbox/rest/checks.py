"""Check runs: create, update (annotations accumulate), get, list for a ref, annotations.

Validation mirrors GitHub's JSON-schema checks: at most 50 annotations and 3 actions per
request, action label/identifier ≤ 20 and description ≤ 40 characters, output title and summary
required (summary only on update), summary/text ≤ 65535 characters, conclusion required when
completed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..models import CheckRun, Repository
from ..representations import (
    annotation_json,
    app_json,
    check_run_json,
    pull_request_minimal_json,
)
from ..webhooks import check_run_payload, check_suite_payload
from .framework import ApiError, Context, Reply, not_found, route

READ = ("checks", "read")
WRITE = ("checks", "write")
MAX_ANNOTATIONS = 50
MAX_ACTIONS = 3
MAX_TEXT = 65535
STATUSES = ("queued", "in_progress", "completed")
CONCLUSIONS = ("action_required", "cancelled", "failure", "neutral", "success", "skipped",
               "stale", "timed_out")
LEVELS = ("notice", "warning", "failure")


def invalid(detail: str) -> ApiError:
    """GitHub's schema-validation 422: `Invalid request.\\n\\n<detail>`."""
    return ApiError(422, f"Invalid request.\n\n{detail}",
                    documentation_url="https://docs.github.com/rest/checks/runs")


def _timestamp(value: Any, field: str) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise invalid(f"For 'properties/{field}', {value!r} is not a date-time.") from None


def validate_output(output: Any, *, creating: bool) -> None:
    if not isinstance(output, dict):
        raise invalid(f"For 'properties/output', {output!r} is not an object.")
    for field in ("title", "summary") if creating else ("summary",):
        if not isinstance(output.get(field), str):
            raise invalid(f'"{field}" wasn\'t supplied.')
    for field in ("summary", "text"):
        value = output.get(field)
        if value is not None and not isinstance(value, str):
            raise invalid(f"For 'properties/{field}', {value!r} is not a string.")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise invalid(f"For 'properties/{field}', the string is too long "
                          f"(maximum is {MAX_TEXT} characters).")
    annotations = output.get("annotations") or []
    if not isinstance(annotations, list):
        raise invalid("For 'properties/annotations', it is not an array.")
    if len(annotations) > MAX_ANNOTATIONS:
        raise invalid(f"No more than {MAX_ANNOTATIONS} items are allowed; "
                      f"{len(annotations)} were supplied.")
    for annotation in annotations:
        _validate_annotation(annotation)


def _validate_annotation(annotation: Any) -> None:
    if not isinstance(annotation, dict):
        raise invalid("For 'items', it is not an object.")
    for field in ("path", "start_line", "end_line", "annotation_level", "message"):
        if field not in annotation:
            raise invalid(f'"{field}" wasn\'t supplied.')
    for field in ("start_line", "end_line", "start_column", "end_column"):
        value = annotation.get(field)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise invalid(f"For 'properties/{field}', {value!r} is not an integer.")
    if annotation["annotation_level"] not in LEVELS:
        raise invalid(f"For 'properties/annotation_level', {annotation['annotation_level']!r} "
                      f"is not one of {list(LEVELS)}.")
    has_columns = "start_column" in annotation or "end_column" in annotation
    if (annotation["start_line"] < 1 or annotation["end_line"] < annotation["start_line"]
            or (has_columns and annotation["start_line"] != annotation["end_line"])):
        # GitHub says no more than this (columns need start_line == end_line)
        raise ApiError(422, "Validation Failed", errors=[
            {"resource": "CheckRun", "code": "invalid", "field": "annotations"}],
            documentation_url="https://docs.github.com/rest/checks/runs#create-a-check-run")


def validate_actions(actions: Any) -> None:
    if not isinstance(actions, list):
        raise invalid("For 'properties/actions', it is not an array.")
    if len(actions) > MAX_ACTIONS:
        raise invalid(f"No more than {MAX_ACTIONS} items are allowed; "
                      f"{len(actions)} were supplied.")
    for action in actions:
        if not isinstance(action, dict):
            raise invalid("For 'items', it is not an object.")
        for field, limit in (("label", 20), ("description", 40), ("identifier", 20)):
            value = action.get(field)
            if not isinstance(value, str):
                raise invalid(f'"{field}" wasn\'t supplied.')
            if len(value) > limit:
                raise invalid(f"For 'properties/{field}', {value!r} is too long "
                              f"(maximum is {limit} characters).")


def _validate_status(body: dict[str, Any]) -> None:
    status, conclusion = body.get("status"), body.get("conclusion")
    if status is not None and status not in STATUSES:
        raise invalid(f"For 'properties/status', {status!r} is not one of {list(STATUSES)}.")
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise invalid(f"For 'properties/conclusion', {conclusion!r} is not one of "
                      f"{list(CONCLUSIONS)}.")
    if status == "completed" and conclusion is None:
        raise invalid("No subschema in \"anyOf\" matched.\n"
                      "\"conclusion\" wasn't supplied.")


def _apply(run: CheckRun, body: dict[str, Any], now: float) -> None:
    """Fields of a create or update body onto the run (annotations accumulate)."""
    for field in ("name", "details_url", "external_id"):
        if field in body:
            setattr(run, field, body[field])
    if "started_at" in body:
        run.started_at = _timestamp(body["started_at"], "started_at")
    if "status" in body:
        run.status = body["status"]
    if body.get("conclusion") is not None:
        run.conclusion = body["conclusion"]
        run.status = "completed"  # GitHub completes a run that is given a conclusion
    if run.status == "completed":
        run.completed_at = (_timestamp(body["completed_at"], "completed_at")
                            if body.get("completed_at") else run.completed_at or now)
    if run.status in ("in_progress", "completed") and run.started_at is None:
        run.started_at = now
    output = body.get("output")
    if output:
        for field in ("title", "summary", "text"):
            if field in output:
                run.output[field] = output[field]
        for annotation in output.get("annotations") or []:
            run.annotations.append(dict(annotation))
    if "actions" in body:
        run.actions = [dict(a) for a in body["actions"]]


def _require_app_token(ctx: Context) -> None:
    if ctx.caller.kind != "installation":
        raise ApiError(403, "You must authenticate via a GitHub App.")


def render_run(ctx: Context, run: CheckRun) -> dict[str, Any]:
    state = ctx.state
    app = app_json(state.app, state.account(state.app.owner_login), ctx.base)
    prs = [pull_request_minimal_json(pr, ctx.base)
           for pr in state.open_pulls_for_sha(run.repo, run.head_sha)]
    return check_run_json(run, app, ctx.base, prs)


def _notify(ctx: Context, run: CheckRun, actions: list[str]) -> None:
    """check_run created/completed go to the App that owns the run, if it subscribes."""
    inst = ctx.state.installation_for_repo(run.repo)
    events = inst.events if inst else []
    sends: list[tuple[str, dict[str, Any]]] = []
    with ctx.state.lock:
        if "check_run" in events:
            sends += [("check_run", check_run_payload(ctx.state, run, a)) for a in actions]
        suite = run.suite
        runs = [r for r in ctx.state.check_runs.values() if r.suite is suite]
        was_completed = suite.status == "completed"
        suite.status = ("completed" if all(r.status == "completed" for r in runs)
                        else "in_progress" if any(r.status != "queued" for r in runs)
                        else "queued")
        suite.updated_at = ctx.state.clock.now()
        if suite.status == "completed":
            order = ["action_required", "cancelled", "timed_out", "failure", "neutral",
                     "skipped", "success", "stale"]
            suite.conclusion = min((r.conclusion or "neutral" for r in runs), key=order.index)
            if not was_completed and "check_suite" in events:
                sends.append(("check_suite", check_suite_payload(ctx.state, suite, "completed")))
    for event, payload in sends:
        ctx.state.emit(event, payload)


@route("POST", "/repos/<owner>/<repo>/check-runs", permission=WRITE)
def create_check_run(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/checks/runs#create-a-check-run"""
    target = ctx.repo(owner, repo)
    _require_app_token(ctx)
    body = ctx.json()
    if not isinstance(body.get("name"), str) or not body["name"]:
        raise invalid("For 'properties/name', nil is not a string.")
    head_sha = body.get("head_sha")
    if not isinstance(head_sha, str):
        raise invalid("For 'properties/head_sha', nil is not a string.")
    _validate_status(body)
    if "output" in body:
        validate_output(body["output"], creating=True)
    if "actions" in body:
        validate_actions(body["actions"])
    if head_sha not in target.store.commits:
        raise ApiError(422, f"No commit found for SHA: {head_sha}")
    state = ctx.state
    with state.lock:
        now = state.clock.now()
        suite = state.check_suite_for(target, head_sha)
        run = CheckRun(state.next_check_run_id(), target, suite, body["name"], head_sha,
                       state.app.id, now)
        _apply(run, body, now)
        state.check_runs[run.id] = run
        rendered = render_run(ctx, run)
    _notify(ctx, run, ["created", *(["completed"] if run.status == "completed" else [])])
    return Reply(201, rendered)


def _run(ctx: Context, repo: Repository, check_run_id: str) -> CheckRun:
    run = ctx.state.check_runs.get(ctx.integer(check_run_id))
    if run is None or run.repo is not repo:
        raise not_found()
    return run


@route("PATCH", "/repos/<owner>/<repo>/check-runs/<check_run_id>", permission=WRITE)
def update_check_run(ctx: Context, owner: str, repo: str, check_run_id: str) -> Reply:
    """https://docs.github.com/rest/checks/runs#update-a-check-run"""
    target = ctx.repo(owner, repo)
    _require_app_token(ctx)
    run = _run(ctx, target, check_run_id)
    body = ctx.json()
    _validate_status(body)
    if "output" in body:
        validate_output(body["output"], creating=False)
    if "actions" in body:
        validate_actions(body["actions"])
    with ctx.state.lock:
        was_completed = run.status == "completed"
        _apply(run, body, ctx.state.clock.now())
        rendered = render_run(ctx, run)
    if run.status == "completed" and not was_completed:
        _notify(ctx, run, ["completed"])
    return Reply(200, rendered)


@route("GET", "/repos/<owner>/<repo>/check-runs/<check_run_id>", permission=READ)
def get_check_run(ctx: Context, owner: str, repo: str, check_run_id: str) -> Reply:
    """https://docs.github.com/rest/checks/runs#get-a-check-run"""
    target = ctx.repo(owner, repo)
    return Reply(body=render_run(ctx, _run(ctx, target, check_run_id)))


@route("GET", "/repos/<owner>/<repo>/check-runs/<check_run_id>/annotations", permission=READ)
def list_annotations(ctx: Context, owner: str, repo: str, check_run_id: str) -> Reply:
    """https://docs.github.com/rest/checks/runs#list-check-run-annotations"""
    target = ctx.repo(owner, repo)
    run = _run(ctx, target, check_run_id)
    page, headers = ctx.page(run.annotations)
    return Reply(body=[annotation_json(run, a, ctx.base) for a in page], headers=headers)


@route("GET", "/repos/<owner>/<repo>/commits/<path:ref>/check-runs", permission=READ)
def list_check_runs_for_ref(ctx: Context, owner: str, repo: str, ref: str) -> Reply:
    """https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference"""
    target = ctx.repo(owner, repo)
    sha = ctx.commit_sha(target, ref)
    with ctx.state.lock:
        runs = sorted((r for r in ctx.state.check_runs.values()
                       if r.repo is target and r.head_sha == sha), key=lambda r: -r.id)
    if ctx.args.get("check_name"):
        runs = [r for r in runs if r.name == ctx.args["check_name"]]
    if ctx.args.get("status"):
        runs = [r for r in runs if r.status == ctx.args["status"]]
    if ctx.args.get("app_id"):
        runs = [r for r in runs if str(r.app_id) == ctx.args["app_id"]]
    if ctx.args.get("filter", "latest") == "latest":
        latest: dict[str, CheckRun] = {}
        for r in runs:
            latest.setdefault(r.name, r)
        runs = list(latest.values())
    page, headers = ctx.page(runs)
    return Reply(body={"total_count": len(runs), "check_runs": [render_run(ctx, r) for r in page]},
                 headers=headers)
