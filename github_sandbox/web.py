"""github.com-side routes: archive downloads, raw files, OAuth, the install page and the UI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from .archives import build_tarball
from .state import GitHubState, NotFound

WebHandler = Callable[..., Response]
WEB_RULES: list[tuple[str, list[str], WebHandler]] = []


def page(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[WebHandler], WebHandler]:
    def register(handler: WebHandler) -> WebHandler:
        WEB_RULES.append((rule, list(methods), handler))
        return handler
    return register


def text(message: str, status: int) -> Response:
    return Response(message, status=status, content_type="text/plain; charset=utf-8")


@page("/_codeload/<owner>/<repo>/legacy.tar.gz/<path:ref>")
def codeload(state: GitHubState, request: Request, owner: str, repo: str, ref: str) -> Response:
    """Where `GET /repos/{owner}/{repo}/tarball/{ref}` redirects, like codeload.github.com."""
    token = request.args.get("token", "")
    with state.lock:
        grant = state.download_tokens.get(token)
    if grant is None or grant[0].lower() != f"{owner}/{repo}".lower() or (
            grant[2] < state.clock.now()):
        return text("404: Not Found", 404)
    target = state.repository(owner, repo)
    sha = grant[1]
    name = f"{target.owner.login}-{target.name}-{sha[:7]}.tar.gz"
    return Response(build_tarball(target, sha), content_type="application/x-gzip",
                    headers={"Content-Disposition": f"attachment; filename={name}",
                             "ETag": f'"{sha}"'})


AVATAR = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">'
          '<rect width="40" height="40" fill="hsl({hue},55%,55%)"/>'
          '<circle cx="20" cy="16" r="8" fill="#fff"/><rect x="8" y="27" width="24" height="13"'
          ' rx="6" fill="#fff"/></svg>')


@page("/avatars/u/<int:account_id>")
def avatar(state: GitHubState, request: Request, account_id: int) -> Response:
    """avatars.githubusercontent.com: a generated picture, its colour from the account id."""
    return Response(AVATAR.format(hue=account_id * 47 % 360), content_type="image/svg+xml")


@page("/<owner>/<repo>/raw/<path:ref_and_path>")
def raw_file(state: GitHubState, request: Request, owner: str, repo: str,
             ref_and_path: str) -> Response:
    """`raw_url`/`download_url` targets: `/{owner}/{repo}/raw/{ref}/{path}`."""
    try:
        target = state.repository(owner, repo)
    except NotFound:
        return text("404: Not Found", 404)
    ref, _, path = ref_and_path.partition("/")
    try:
        files = target.store.files_of(state.resolve_ref(target, ref))
    except NotFound:
        return text("404: Not Found", 404)
    if path not in files:
        return text("404: Not Found", 404)
    return Response(files[path], content_type="text/plain; charset=utf-8")


def _register_pages() -> Any:
    from . import pages  # noqa: F401  (registers the OAuth, install and UI pages)


_register_pages()
