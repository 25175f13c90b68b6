"""Routes, the per-request context, and GitHub-shaped errors for the REST handlers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from werkzeug.wrappers import Request

from ..auth import NOT_ACCESSIBLE, Caller, has_permission
from ..models import Repository
from ..pagination import paginate
from ..representations import DOCS
from ..state import GitHubState, NotFound

T = TypeVar("T")
Handler = Callable[..., "Reply"]


class ApiError(Exception):
    """Raised by handlers; rendered as GitHub's `{"message", "documentation_url", "status"}`."""

    def __init__(self, status: int, message: str, *, errors: list[Any] | None = None,
                 documentation_url: str = DOCS, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.documentation_url = documentation_url
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def forbidden_for_integration() -> ApiError:
    return ApiError(403, NOT_ACCESSIBLE)


def validation_failed(errors: list[dict[str, Any]],
                      message: str = "Validation Failed") -> ApiError:
    return ApiError(422, message, errors=errors)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a non-JSON body (archives)
    content_type: str = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    handler: Handler
    auth: str  # "app" (JWT only), "token" (installation or user), "user", "any", "public"
    permission: tuple[str, str] | None
    counts: bool  # spends the rate limit


ROUTES: list[Route] = []


def route(method: str, rule: str, *, auth: str = "token",
          permission: tuple[str, str] | None = None,
          counts: bool = True) -> Callable[[Handler], Handler]:
    """Register a handler for `method rule` (werkzeug rule syntax)."""
    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method, rule, handler, auth, permission, counts))
        return handler
    return register


class Context:
    """What a handler needs: the state, the caller, the query and body, and access checks."""

    def __init__(self, state: GitHubState, request: Request, caller: Caller,
                 route: Route) -> None:
        self.state = state
        self.request = request
        self.caller = caller
        self.route = route
        self.args: dict[str, str] = {k: v for k, v in request.args.items()}
        self.base = state.base_url
        self._json: Any = None

    def json(self) -> dict[str, Any]:
        """The JSON body; GitHub answers 400 "Problems parsing JSON" to anything else."""
        if self._json is None:
            raw = self.request.get_data(cache=True)
            if not raw.strip():
                self._json = {}
            else:
                try:
                    self._json = json.loads(raw)
                except ValueError:
                    raise ApiError(400, "Problems parsing JSON") from None
            if not isinstance(self._json, dict):
                raise ApiError(400, "Problems parsing JSON")
        return self._json

    def repo(self, owner: str, name: str, *, permission: tuple[str, str] | None = None,
             admin: bool = False) -> Repository:
        """The repository if the caller may see it (404 otherwise, as GitHub hides it);
        403 when it is visible but the token lacks `permission`."""
        try:
            repo = self.state.repository(owner, name)
        except NotFound:
            raise not_found() from None
        caller = self.caller
        if caller.kind == "installation":
            inst = caller.installation
            assert inst is not None and caller.token is not None
            if repo not in self.state.installation_repositories(inst):
                raise not_found()
            narrowed = caller.token.repository_ids
            if narrowed is not None and repo.id not in narrowed:
                raise not_found()
            wanted = permission or self.route.permission
            if wanted and not has_permission(caller, *wanted):
                raise forbidden_for_integration()
            if admin and not has_permission(caller, "administration", "write"):
                raise forbidden_for_integration()
        elif caller.kind == "user":
            assert caller.user is not None
            owner_account = repo.owner
            if not self.state.is_admin(caller.user.login, owner_account) and repo.private:
                raise not_found()
            if admin and not self.state.is_admin(caller.user.login, owner_account):
                raise ApiError(404, "Not Found")
        elif caller.kind == "anonymous":
            if repo.private:
                raise not_found()
            if admin:
                raise ApiError(401, "Requires authentication")
        else:  # an App JWT reaches only the endpoints marked auth="app"
            raise forbidden_for_integration()
        return repo

    def commit_sha(self, repo: Repository, ref: str) -> str:
        try:
            return self.state.resolve_ref(repo, ref)
        except NotFound:
            raise ApiError(404, f"No commit found for the ref {ref}") from None

    def page(self, items: Sequence[T]) -> tuple[list[T], dict[str, str]]:
        """One page of `items` and the `Link` header for it."""
        url = self.base + self.request.path
        chunk, link = paginate(items, url, self.args)
        return chunk, ({"Link": link} if link else {})

    def integer(self, value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise not_found() from None
