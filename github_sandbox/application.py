"""The WSGI application: REST routes first, then the sandbox control routes, then web pages."""

from __future__ import annotations

from email.utils import formatdate
from functools import cache
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import control, web
from .representations import error_json
from .rest import ROUTES
from .rest.dispatch import handle
from .state import GitHubState


@cache
def _maps() -> tuple[Map, Map, Map]:
    """Compiled once per process: compiling ~80 rules costs more than starting a server."""
    api = Map([Rule(r.rule, methods=[r.method], endpoint=i) for i, r in enumerate(ROUTES)],
              strict_slashes=False, merge_slashes=False)
    control_map = Map([Rule(rule.rule, methods=rule.methods, endpoint=i)
                       for i, (rule, _) in enumerate(control.CONTROL_RULES)])
    web_map = Map([Rule(rule, methods=methods, endpoint=i)
                   for i, (rule, methods, _) in enumerate(web.WEB_RULES)], strict_slashes=False)
    return api, control_map, web_map


class SandboxApplication:
    def __init__(self, state: GitHubState) -> None:
        self.state = state
        self.api_map, self.control_map, self.web_map = _maps()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.respond(request)
        if "Date" not in response.headers:
            # Every answer carries GitHub's time, which follows the sandbox clock.
            response.headers["Date"] = formatdate(self.state.clock.now(), usegmt=True)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/_sandbox/"):
            try:
                index, values = self.control_map.bind_to_environ(request.environ).match()
            except HTTPException as error:
                return _json_error(error.code or 404)
            return control.CONTROL_RULES[index][1](self.state, request, **values)
        try:
            index, values = self.api_map.bind_to_environ(request.environ).match()
            return handle(self.state, request, ROUTES[index], values)
        except (NotFound, MethodNotAllowed):
            pass
        try:
            index, values = self.web_map.bind_to_environ(request.environ).match()
        except HTTPException as error:
            # GitHub answers unknown API paths and methods with a JSON 404
            return _json_error(404 if isinstance(error, NotFound | MethodNotAllowed)
                               else error.code or 404)
        return web.WEB_RULES[index][2](self.state, request, **values)


def _json_error(status: int) -> Response:
    import json

    message = "Not Found" if status == 404 else "Error"
    return Response(json.dumps(error_json(message, status)), status=status,
                    content_type="application/json; charset=utf-8")
