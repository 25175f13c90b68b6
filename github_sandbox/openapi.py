"""Check HTTP exchanges against GitHub's own OpenAPI description (`@octokit/openapi`).

`validate_exchange(method, path, request_json, status, response_json)` returns a list of
human-readable violations (empty when the exchange conforms): the operation must exist, query
parameters must be declared, the JSON request body must match the operation's requestBody
schema, and the JSON response body the schema documented for that status. The sandbox's tests
run it over every request the sandbox records; the product's tests can run it over every request
its client sends. The description is large (13 MB): load it once per process via `load_spec`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_URI = "urn:github:api.github.com"
DEFAULT_SPEC_PATH = (Path(__file__).resolve().parents[1] / "var/npm/node_modules/@octokit/"
                     "openapi/generated/api.github.com.json")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Path parameters whose values may contain "/" (refs, file paths, base...head, branch names).
SLASHY_PARAMS = {"path", "ref", "basehead", "branch", "tree_sha"}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    pointer: str  # JSON pointer of the operation inside the description
    literal_length: int

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.template}"


class OpenApiSpec:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT4)
        self.registry: Registry = Registry().with_resource(SPEC_URI, resource)
        self.operations: list[Operation] = []
        for template, item in document["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    self.operations.append(Operation(
                        method, template, _template_regex(template),
                        f"/paths/{_escape(template)}/{method}",
                        len(re.sub(r"\{[^}]+\}", "", template))))
        # the most literal template wins: /repos/{o}/{r}/pulls/comments before .../pulls/{n}
        self.operations.sort(key=lambda op: -op.literal_length)

    def find(self, method: str, path: str) -> Operation | None:
        path = unquote(path.split("?", 1)[0]).rstrip("/") or "/"
        for op in self.operations:
            if op.method == method.lower() and op.pattern.fullmatch(path):
                return op
        return None

    def resolve(self, node: Any) -> Any:
        """Follow a non-schema `$ref` (requestBodies, responses, parameters)."""
        while isinstance(node, dict) and "$ref" in node:
            node = self.at(node["$ref"].removeprefix("#"))
        return node

    def at(self, pointer: str) -> Any:
        node: Any = self.document
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def schema_errors(self, pointer: str, instance: Any) -> list[str]:
        """Validate `instance` against the schema at `pointer` (refs resolved in place)."""
        validator = OAS30Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry,
                                   format_checker=oas30_format_checker)
        messages = []
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in error.absolute_path) or "<root>"
            if _is_erratum(pointer, where, error):
                continue
            messages.append(f"{where}: {_short(error.message)}")
        return messages

    def validate_exchange(self, method: str, path: str, request_json: Any, status: int,
                          response_json: Any, query: dict[str, str] | None = None) -> list[str]:
        op = self.find(method, path)
        label = f"{method.upper()} {path}"
        if op is None:
            return [f"{label}: no such operation in GitHub's REST API"]
        operation = self.at(op.pointer)
        problems = [f"{label} ({op.name}) query: {p}"
                    for p in self._query_problems(op, operation, query or {})]
        if request_json is not None:
            body = self.resolve(operation.get("requestBody"))
            if body is None:
                problems.append(f"{label} ({op.name}) sends a body the operation does not take")
            else:
                pointer = self._body_pointer(op, operation)
                problems += [f"{label} ({op.name}) request {p}"
                             for p in self.schema_errors(pointer, request_json)]
        problems += [f"{label} ({op.name}) response {status} {p}"
                     for p in self._response_problems(op, operation, status, response_json)]
        return problems

    def _query_problems(self, op: Operation, operation: dict[str, Any],
                        query: dict[str, str]) -> list[str]:
        params = [self.resolve(p) for p in operation.get("parameters", [])]
        declared = {p["name"]: p for p in params if p.get("in") == "query"}
        problems = []
        for name, value in query.items():
            param = declared.get(name)
            if param is None:
                problems.append(f"undeclared parameter {name!r}")
                continue
            enum = self.resolve(param.get("schema", {})).get("enum")
            if enum and value not in [str(v) for v in enum]:
                problems.append(f"{name}={value!r} is not one of {enum}")
        return problems

    def _body_pointer(self, op: Operation, operation: dict[str, Any]) -> str:
        ref = operation["requestBody"].get("$ref")
        base = ref.removeprefix("#") if ref else f"{op.pointer}/requestBody"
        return f"{base}/content/application~1json/schema"

    def _response_problems(self, op: Operation, operation: dict[str, Any], status: int,
                           body: Any) -> list[str]:
        if status == 304:
            # Not Modified answers a conditional GET on any cacheable resource (RFC 9110),
            # whether or not the operation lists it; it has no body to check.
            return []
        responses = operation.get("responses", {})
        key = str(status) if str(status) in responses else (
            "default" if "default" in responses else None)
        if key is None:
            if status >= 400:  # GitHub documents only some errors; all share basic-error
                return self.schema_errors("/components/schemas/basic-error", body or {})
            return [f"status {status} is not documented"]
        response = responses[key]
        ref = response.get("$ref")
        base = ref.removeprefix("#") if ref else f"{op.pointer}/responses/{key}"
        content = self.resolve(response).get("content", {})
        if body is None or status in (204, 304) or "application/json" not in content:
            return []
        if isinstance(body, list) and op.template.endswith("/contents/{path}"):
            # Erratum: a directory listing is an array, which the description's `type`
            # discriminator (meant for objects) cannot select; check it as content-directory.
            return self.schema_errors("/components/schemas/content-directory", body)
        return self.schema_errors(f"{base}/content/application~1json/schema", body)


def _is_erratum(pointer: str, where: str, error: Any) -> bool:
    """Known mistakes of the description, which GitHub's real answers also 'violate'."""
    # `nullable: true` with an `enum` that omits null (check run `conclusion`, ...).
    if error.validator == "enum" and error.instance is None and error.schema.get("nullable"):
        return True
    # GET /app/installations types `account` as allOf[simple-user, enterprise] where every
    # other installation schema says anyOf: an account is one or the other, never both.
    return (pointer.startswith("/paths/~1app~1installations/get/")
            and re.fullmatch(r"\d+/account", where) is not None
            and "allOf" in list(error.schema_path))


def _escape(template: str) -> str:
    return template.replace("~", "~0").replace("/", "~1")


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        (".+" if part[1:-1] in SLASHY_PARAMS else "[^/]+") if part.startswith("{")
        else re.escape(part) for part in parts)
    return re.compile(regex)


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "…"


@lru_cache(maxsize=2)
def load_spec(path: str | Path = DEFAULT_SPEC_PATH) -> OpenApiSpec:
    return OpenApiSpec(json.loads(Path(path).read_text()))


def validate_exchange(method: str, path: str, request_json: Any, status: int,
                      response_json: Any, query: dict[str, str] | None = None) -> list[str]:
    """Violations of GitHub's OpenAPI description by one request/response pair."""
    return load_spec().validate_exchange(method, path, request_json, status, response_json,
                                         query)


def validate_logged_requests(entries: list[dict[str, Any]], *,
                             rejected_requests_may_be_invalid: bool = False) -> list[str]:
    """Run `validate_exchange` over `state.requests` (or `GET /_sandbox/requests`).

    With `rejected_requests_may_be_invalid`, request bodies GitHub answered with 400/422 are
    not checked (a scenario that sends invalid bodies on purpose); their responses still are.
    """
    problems: list[str] = []
    for entry in entries:
        if entry.get("kind") == "web":  # e.g. the OAuth token exchange on github.com
            continue
        request_json = entry.get("json")
        if rejected_requests_may_be_invalid and entry["status"] in (400, 422):
            request_json = None
        problems += validate_exchange(entry["method"], entry["path"], request_json,
                                      entry["status"], entry.get("response"), entry.get("query"))
    return problems
