"""The repository UI for demos: repositories, branches, pull requests with their diff, check
runs and annotations, and buttons that make GitHub send the matching webhooks."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .clock import iso8601
from .diffs import diff_entries
from .html import e, hidden, label, layout, markdown
from .models import CheckRun, Delivery, PullRequest, Repository
from .state import GitHubState, NotFound
from .web import page

HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def _not_found() -> Response:
    return layout("Not found", "<h1>404</h1><p>This is not the web page you are looking for.</p>",
                  status=404)


@page("/")
def index(state: GitHubState, request: Request) -> Response:
    with state.lock:
        repos = sorted(state.repositories.values(), key=lambda r: r.full_name.lower())
        rows = []
        for repo in repos:
            inst = state.installation_for_repo(repo)
            installed = (label(f"installed #{inst.id}", "success") if inst
                         else label("not installed", "neutral"))
            open_prs = sum(1 for p in state.pulls.get(repo.id, []) if p.state == "open")
            rows.append(f'<tr><td><a href="/{e(repo.full_name)}">{e(repo.full_name)}</a></td>'
                        f'<td>{e(repo.language)}</td><td>{open_prs} open PRs</td>'
                        f"<td>{installed}</td></tr>")
        deliveries = list(reversed(state.deliveries[-15:]))
    delivery_rows = "".join(_delivery_row(d) for d in deliveries) or (
        '<tr><td class="muted">No deliveries yet.</td></tr>')
    app = state.app
    body = f"""<h1>Repositories</h1>
<div class="box"><table>{"".join(rows)}</table></div>
<div class="box"><div class="head">{e(app.name)} <span class="muted">App #{app.id}</span>
  <a class="button" href="/apps/{e(app.slug)}/installations/new">Install</a></div>
  <div class="body muted">Webhook URL: <code>{e(app.webhook_url or "not set")}</code> ·
  Setup URL: <code>{e(app.setup_url or "not set")}</code></div></div>
<h2>Recent deliveries</h2><div class="box"><table>{delivery_rows}</table></div>"""
    return layout("Repositories", body, who=state.signed_in_login)


def _delivery_row(d: Delivery) -> str:
    outcome = label(str(d.status_code or d.status),
                    "success" if 200 <= d.status_code < 300 else "failure")
    when = iso8601(d.delivered_at) if d.delivered_at else "pending"
    again = " (redelivery)" if d.redelivery else ""
    return (f"<tr><td><code>{e(d.guid[:8])}</code></td><td>{e(d.event)}.{e(d.action)}</td>"
            f"<td>{outcome}</td><td class=muted>{e(when)}{again}</td></tr>")


def _repo(state: GitHubState, owner: str, repo: str) -> Repository | None:
    try:
        return state.repository(owner, repo)
    except NotFound:
        return None


@page("/<owner>/<repo>")
def repository_page(state: GitHubState, request: Request, owner: str, repo: str) -> Response:
    target = _repo(state, owner, repo)
    if target is None:
        return _not_found()
    with state.lock:
        branches = sorted(target.branches.items())
        pulls = sorted(state.pulls.get(target.id, []), key=lambda p: -p.number)
    branch_rows = "".join(
        f"<tr><td><code>{e(name)}</code> "
        f"{label('protected', 'neutral') if name in target.protection else ''}</td>"
        f"<td><code>{e(sha[:7])}</code></td>"
        f"<td class=muted>{e(target.store.commits[sha].message)}</td></tr>"
        for name, sha in branches)
    options = "".join(f"<option>{e(name)}</option>" for name, _ in branches
                      if name != target.default_branch)
    pull_rows = "".join(
        f'<tr><td>{label(_pr_state(p), _pr_state(p))}</td><td><a href="/{e(target.full_name)}'
        f'/pull/{p.number}">#{p.number} {e(p.title)}</a></td><td class=muted>'
        f"{e(p.head_repo.owner.login)}:{e(p.head_ref)} → {e(p.base_ref)}</td></tr>"
        for p in pulls) or '<tr><td class="muted">No pull requests yet.</td></tr>'
    opener = (f"""<form method="post" action="/{e(target.full_name)}/pulls">
  from <select name="head">{options}</select> into
  <code>{e(target.default_branch)}</code>
  <input type="text" name="title" placeholder="Title (optional)" size="40">
  <button class="primary">Open pull request</button></form>""" if options else
              f'<p class="muted">No branch besides <code>{e(target.default_branch)}</code> to '
              f"open a pull request from. Try {_demo_links(state, target)}.</p>")
    install_note = ("" if state.installation_for_repo(target) is not None else
                    f'<div class="box"><div class="body"><b>{e(state.app.name)}</b> is not '
                    f"installed on this repository, so its pull requests get no checks. "
                    f'<a href="/apps/{e(state.app.slug)}/installations/new">Install it</a>.'
                    "</div></div>")
    body = f"""<h1><a href="/">{e(target.owner.login)}</a> /
<b>{e(target.name)}</b> <span class="muted">{e(target.description)}</span></h1>{install_note}
<div class="box"><div class="head">Open a pull request</div><div class="body">
{opener}</div></div>
<h2>Pull requests</h2><div class="box"><table>{pull_rows}</table></div>
<h2>Branches</h2><div class="box"><table>{branch_rows}</table></div>"""
    return layout(target.full_name, body, who=state.signed_in_login)


def _demo_links(state: GitHubState, current: Repository) -> str:
    """Repositories that do have branches to open a pull request from."""
    with state.lock:
        others = sorted(r.full_name for r in state.repositories.values()
                        if r is not current and len(r.branches) > 1)
    return ", ".join(f'<a href="/{e(name)}">{e(name)}</a>' for name in others) or \
        "another repository"


def _pr_state(pr: PullRequest) -> str:
    return "merged" if pr.merged_at else pr.state


@page("/<owner>/<repo>/pulls", methods=("POST",))
def open_pull(state: GitHubState, request: Request, owner: str, repo: str) -> Response:
    target = _repo(state, owner, repo)
    if target is None or request.form.get("head") not in target.branches:
        return _not_found()
    pr = state.open_pull_request(target.owner.login, target.name, request.form["head"],
                                 target.default_branch, title=request.form.get("title") or None)
    return redirect(f"/{target.full_name}/pull/{pr['number']}", code=303)


def _pull(state: GitHubState, owner: str, repo: str, number: int) -> PullRequest | None:
    try:
        return state.pull_request(owner, repo, number)
    except NotFound:
        return None


def _runs_for(state: GitHubState, repo: Repository, sha: str) -> list[CheckRun]:
    with state.lock:
        return sorted((r for r in state.check_runs.values()
                       if r.repo is repo and r.head_sha == sha), key=lambda r: r.id)


def check_run_card(run: CheckRun) -> str:
    base = f"/{run.repo.full_name}/runs/{run.id}"
    actions = "".join(
        f'<form class="inline" method="post" action="{base}/action">'
        f'{hidden(identifier=a.get("identifier"))}<button title="{e(a.get("description"))}">'
        f'{e(a.get("label"))}</button></form> ' for a in run.actions)
    details = (f'<a href="{e(run.details_url)}">Details</a>' if run.details_url else "")
    external = f" · external id <code>{e(run.external_id)}</code>" if run.external_id else ""
    text = (f"<details><summary>Details</summary><pre>{e(run.output.get('text'))}</pre></details>"
            if run.output.get("text") else "")
    return f"""<div class="box" id="run-{run.id}"><div class="head">{e(run.name)}
  {label(run.status, run.status)} {label(run.conclusion, run.conclusion) if run.conclusion else ""}
  <span class="muted">{e(run.output.get("title"))}</span> {details}
  <span style="margin-left:auto">{actions}<form class="inline" method="post"
  action="{base}/rerequest"><button>Re-run</button></form></span></div>
  <div class="body markdown">{markdown(run.output.get("summary") or "No summary yet.")}{text}
  <p class="muted">{len(run.annotations)} annotations{external}</p></div></div>"""


def _annotation_row(annotation: dict[str, Any]) -> str:
    level = annotation.get("annotation_level", "warning")
    raw = annotation.get("raw_details")
    details = f"<pre>{e(raw)}</pre>" if raw else ""
    return (f'<tr class="annotation annotation-{e(level)}"><td colspan="3">{label(level, level)} '
            f"<b>{e(annotation.get('title'))}</b><br>{e(annotation.get('message'))}{details}"
            "</td></tr>")


def render_patch(patch: str, annotations: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Diff rows with each annotation under the new-side line it ends on (as GitHub places
    them); returns the annotations that fall outside the diff."""
    by_line: dict[int, list[dict[str, Any]]] = {}
    for annotation in annotations:
        by_line.setdefault(int(annotation["end_line"]), []).append(annotation)
    rows: list[str] = []
    old = new = 0
    placed: set[int] = set()
    for line in patch.split("\n"):
        match = HUNK.match(line)
        if match:
            old, new = int(match.group(1)), int(match.group(2))
            rows.append(f'<tr class="hunk"><td class="num"></td><td class="num"></td>'
                        f"<td>{e(line)}</td></tr>")
            continue
        if line.startswith("+"):
            rows.append(f'<tr class="add"><td class="num"></td><td class="num">{new}</td>'
                        f"<td>{e(line)}</td></tr>")
            current, new = new, new + 1
        elif line.startswith("-"):
            rows.append(f'<tr class="del"><td class="num">{old}</td><td class="num"></td>'
                        f"<td>{e(line)}</td></tr>")
            old += 1
            continue
        elif line.startswith("\\"):
            rows.append(f'<tr><td class="num"></td><td class="num"></td><td class="muted">'
                        f"{e(line)}</td></tr>")
            continue
        else:
            rows.append(f'<tr><td class="num">{old}</td><td class="num">{new}</td>'
                        f"<td>{e(line)}</td></tr>")
            current, old, new = new, old + 1, new + 1
        for annotation in by_line.get(current, []):
            rows.append(_annotation_row(annotation))
            placed.add(id(annotation))
    return "".join(rows), [a for a in annotations if id(a) not in placed]


@page("/<owner>/<repo>/pull/<int:number>")
def pull_page(state: GitHubState, request: Request, owner: str, repo: str,
              number: int) -> Response:
    pr = _pull(state, owner, repo, number)
    if pr is None:
        return _not_found()
    with state.lock:
        files = diff_entries(pr.repo, state.base_url, state.pull_merge_base(pr), pr.head_sha,
                             pr.head_repo)
    runs = _runs_for(state, pr.repo, pr.head_sha)
    file_boxes = []
    for entry in files:
        notes = [a for run in runs for a in run.annotations if a.get("path") == entry["filename"]]
        rows, outside = render_patch(entry.get("patch", ""), notes) if "patch" in entry else (
            '<tr><td class="muted">Large diffs are not rendered by default.</td></tr>', notes)
        extra = "".join(_annotation_row(a) for a in outside)
        if extra:
            extra = (f'<tr><td colspan="3" class="muted">Annotations outside the diff</td></tr>'
                     f"{extra}")
        file_boxes.append(
            f'<div class="box"><div class="head"><code>{e(entry["filename"])}</code> '
            f'{label(entry["status"], "neutral")} <span class="muted">+{entry["additions"]} '
            f'&minus;{entry["deletions"]}</span></div>'
            f'<table class="diff">{rows}{extra}</table></div>')
    file_choices = "".join(f"<option>{e(f['filename'])}</option>" for f in files
                           if f["status"] != "removed")
    toggle = "reopen" if pr.state == "closed" else "close"
    base = f"/{pr.repo.full_name}/pull/{pr.number}"
    body = f"""<h1>{e(pr.title)} <span class="muted">#{pr.number}</span></h1>
<p>{label(_pr_state(pr), _pr_state(pr))} <b>{e(pr.user.login)}</b> wants to merge
<code>{e(pr.head_repo.owner.login)}:{e(pr.head_ref)}</code> into <code>{e(pr.base_ref)}</code>
· head <code>{e(pr.head_sha[:7])}</code>
<form class="inline" method="post" action="{base}/state">{hidden(action=toggle)}
<button>{toggle.title()} pull request</button></form></p>
<div class="box"><div class="head">Push a commit to <code>{e(pr.head_ref)}</code></div>
<div class="body"><form method="post" action="{base}/commits">
  append <input type="text" name="line" size="50" value="# touched from the sandbox UI">
  to <select name="path">{file_choices}<option value="NOTES.md">NOTES.md (new)</option></select>
  <button class="primary">Commit and push</button></form></div></div>
<h2>Checks</h2>{"".join(check_run_card(r) for r in runs) or _no_runs_yet(state, pr)}
<h2>Files changed ({len(files)})</h2>{"".join(file_boxes)}"""
    return layout(f"{pr.title} · #{pr.number}", body, who=state.signed_in_login,
                  refresh_seconds=2 if _waiting_for_checks(state, pr, runs) else None)


def _waiting_for_checks(state: GitHubState, pr: PullRequest, runs: list[CheckRun]) -> bool:
    """Reload the page by itself while a run is in progress, or while the App (installed here
    and given a webhook URL) has yet to answer an open pull request."""
    if any(run.status != "completed" for run in runs):
        return True
    return (not runs and pr.state == "open" and bool(state.app.webhook_url)
            and state.installation_for_repo(pr.repo) is not None)


def _no_runs_yet(state: GitHubState, pr: PullRequest) -> str:
    """Say why no check run is here, and what to do next."""
    if state.installation_for_repo(pr.repo) is None:
        return (f'<p class="muted">No check runs: <b>{e(state.app.name)}</b> is not installed on '
                f'{e(pr.repo.full_name)}. <a href="/apps/{e(state.app.slug)}/installations/new">'
                "Install it</a>, then push a commit to this pull request.</p>")
    if not state.app.webhook_url:
        return ('<p class="muted">No check runs: the App has no webhook URL, so nobody hears '
                "about this pull request. Start Fortify with <code>bin/run</code>.</p>")
    return ('<p class="muted">No check runs for this commit yet: waiting for the App '
            "(this page refreshes by itself).</p>")


@page("/<owner>/<repo>/pull/<int:number>/commits", methods=("POST",))
def push_from_ui(state: GitHubState, request: Request, owner: str, repo: str,
                 number: int) -> Response:
    pr = _pull(state, owner, repo, number)
    if pr is None:
        return _not_found()
    path = request.form.get("path") or "NOTES.md"
    line = request.form.get("line") or "# touched from the sandbox UI"
    files = pr.head_repo.store.files_of(pr.head_sha)
    content = files.get(path, b"").decode("utf-8", errors="replace")
    if content and not content.endswith("\n"):
        content += "\n"
    state.push_commit(pr.head_repo.owner.login, pr.head_repo.name, pr.head_ref,
                      {path: f"{content}{line}\n"}, f"Update {path}")
    return redirect(f"/{pr.repo.full_name}/pull/{pr.number}", code=303)


@page("/<owner>/<repo>/pull/<int:number>/state", methods=("POST",))
def change_pull_state(state: GitHubState, request: Request, owner: str, repo: str,
                      number: int) -> Response:
    pr = _pull(state, owner, repo, number)
    if pr is None:
        return _not_found()
    if request.form.get("action") == "reopen":
        state.reopen_pull_request(pr.repo.owner.login, pr.repo.name, pr.number)
    else:
        state.close_pull_request(pr.repo.owner.login, pr.repo.name, pr.number)
    return redirect(f"/{pr.repo.full_name}/pull/{pr.number}", code=303)


def _run(state: GitHubState, owner: str, repo: str, run_id: int) -> CheckRun | None:
    run = state.check_runs.get(run_id)
    return run if run and run.repo.full_name.lower() == f"{owner}/{repo}".lower() else None


def _back_to(state: GitHubState, run: CheckRun) -> str:
    pr = next((p for p in state.pulls.get(run.repo.id, []) if p.head_sha == run.head_sha), None)
    if pr is None:
        return f"/{run.repo.full_name}/runs/{run.id}"
    return f"/{run.repo.full_name}/pull/{pr.number}#run-{run.id}"


@page("/<owner>/<repo>/runs/<int:run_id>")
def run_page(state: GitHubState, request: Request, owner: str, repo: str,
             run_id: int) -> Response:
    """A check run's `html_url`."""
    run = _run(state, owner, repo, run_id)
    if run is None:
        return _not_found()
    notes = "".join(_annotation_row(a) for a in run.annotations)
    body = (f"<h1>{e(run.name)} <span class=muted>on {e(run.head_sha[:7])}</span></h1>"
            f"{check_run_card(run)}<div class=box><table class=diff>{notes}</table></div>")
    return layout(run.name, body, who=state.signed_in_login)


@page("/<owner>/<repo>/runs/<int:run_id>/rerequest", methods=("POST",))
def rerun(state: GitHubState, request: Request, owner: str, repo: str, run_id: int) -> Response:
    """"Re-run": GitHub sends `check_run.rerequested`."""
    run = _run(state, owner, repo, run_id)
    if run is None:
        return _not_found()
    state.rerequest_check_run(run.id)
    return redirect(_back_to(state, run), code=303)


@page("/<owner>/<repo>/runs/<int:run_id>/action", methods=("POST",))
def request_action(state: GitHubState, request: Request, owner: str, repo: str,
                   run_id: int) -> Response:
    """An action button: GitHub sends `check_run.requested_action` with its identifier."""
    run = _run(state, owner, repo, run_id)
    if run is None:
        return _not_found()
    state.request_check_run_action(run.id, request.form.get("identifier", ""))
    return redirect(_back_to(state, run), code=303)


@page("/<owner>/<repo>/blob/<path:ref_and_path>")
def blob_page(state: GitHubState, request: Request, owner: str, repo: str,
              ref_and_path: str) -> Response:
    """A file at a ref with numbered lines (annotations' `blob_href`)."""
    target = _repo(state, owner, repo)
    if target is None:
        return _not_found()
    ref, _, path = ref_and_path.partition("/")
    try:
        data = target.store.files_of(state.resolve_ref(target, ref)).get(path)
    except NotFound:
        data = None
    if data is None:
        return _not_found()
    rows = "".join(f'<tr id="L{i}"><td class="num">{i}</td><td>{e(line)}</td></tr>'
                   for i, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1))
    body = (f"<h1>{e(target.full_name)} / <code>{e(path)}</code> "
            f"<span class=muted>@ {e(ref[:12])}</span></h1>"
            f'<div class="box"><table class="diff">{rows}</table></div>')
    return layout(path, body, who=state.signed_in_login)


@page("/settings/installations/<int:installation_id>")
@page("/organizations/<org>/settings/installations/<int:installation_id>")
def installation_page(state: GitHubState, request: Request, installation_id: int,
                      org: str | None = None) -> Response:
    """Where the install flow lands when the App has no setup URL."""
    try:
        inst = state.installation(installation_id)
    except NotFound:
        return _not_found()
    repos = "".join(f"<li>{e(r.full_name)}</li>" for r in state.installation_repositories(inst))
    permissions = ", ".join(f"{k}: {v}" for k, v in sorted(inst.permissions.items()))
    body = f"""<h1>{e(state.app.name)} on {e(inst.account.login)}</h1>
<div class="box"><div class="body"><p>Installation <code>#{inst.id}</code> ·
{e(inst.repository_selection)} repositories · {e(permissions)}</p><ul>{repos}</ul>
<a class="button" href="/apps/{e(state.app.slug)}/installations/new">Configure</a></div></div>"""
    return layout("Installation", body, who=state.signed_in_login)
