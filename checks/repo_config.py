"""``.fortify.yml``: a repository's own settings, read from the pull request's base branch.

Read from the base (the commit the PR targets), never from the PR's head, so a pull request
cannot lower its own bar; a PR that edits the file is told its change takes effect after
merge. The schema is documented in ``docs/repository-config.md``. A file that is not valid
YAML or does not match the schema is reported in the check run and the scan runs with the
repository's defaults: it never crashes a scan.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import yaml

from checks.findings import Finding, Severity
from checks.suppressions import Policy

logger = logging.getLogger(__name__)

PATH = ".fortify.yml"
#: Larger than any sensible config: a bigger file is refused, not parsed.
MAX_BYTES = 64 * 1024
DEFAULT_MAX_ANNOTATIONS = 200
#: GitHub keeps at most this many annotations per check run page; we never send more.
MAX_ANNOTATIONS_LIMIT = 1000

SEVERITIES = [severity.value.lower() for severity in Severity]

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "failure_threshold": {"enum": SEVERITIES},
        "exclude": {"type": "array", "items": {"type": "string", "minLength": 1,
                                               "maxLength": 500}, "maxItems": 200},
        "disable_rules": {"type": "array", "items": {"type": "string", "minLength": 1,
                                                     "maxLength": 255}, "maxItems": 500},
        "unscanned_files": {"enum": ["neutral", "failure"]},
        "suppressions": {"enum": [policy.value for policy in Policy]},
        "max_annotations": {"type": "integer", "minimum": 0,
                            "maximum": MAX_ANNOTATIONS_LIMIT},
    },
}


@dataclass(frozen=True, kw_only=True)
class RepoConfig:
    """The settings a scan applies; defaults are the repository's own settings."""

    failure_threshold: Severity = Severity.HIGH
    exclude: tuple[str, ...] = ()
    disable_rules: frozenset[str] = frozenset()
    #: The conclusion of a run with unscanned changed files and no blocking finding.
    unscanned_files: str = "neutral"
    suppressions: Policy = Policy.ALLOW
    max_annotations: int = DEFAULT_MAX_ANNOTATIONS
    #: Where the settings came from: "defaults", or ".fortify.yml at <sha>".
    source: str = "defaults"
    #: A message for people when the file was unusable (shown in the run); never a trace.
    error: str = ""
    #: Messages about the config shown in the check run (e.g. "takes effect after merge").
    notes: tuple[str, ...] = field(default=())

    def rule_disabled(self, finding: Finding) -> bool:
        rule = finding.rule_id.lower()
        return rule in self.disable_rules or rule.rsplit(".", 1)[-1] in self.disable_rules

    def as_dict(self) -> dict[str, Any]:
        return {"failure_threshold": self.failure_threshold.value,
                "exclude": list(self.exclude), "disable_rules": sorted(self.disable_rules),
                "unscanned_files": self.unscanned_files,
                "suppressions": self.suppressions.value,
                "max_annotations": self.max_annotations, "source": self.source,
                "error": self.error, "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RepoConfig:
        return cls(failure_threshold=Severity.parse(data.get("failure_threshold", "HIGH")),
                   exclude=tuple(data.get("exclude") or ()),
                   disable_rules=frozenset(data.get("disable_rules") or ()),
                   unscanned_files=data.get("unscanned_files", "neutral"),
                   suppressions=Policy(data.get("suppressions", Policy.ALLOW.value)),
                   max_annotations=int(data.get("max_annotations",
                                                DEFAULT_MAX_ANNOTATIONS)),
                   source=data.get("source", "defaults"), error=data.get("error", ""),
                   notes=tuple(data.get("notes") or ()))


class InvalidConfig(ValueError):
    """The file is unusable; the message says where and why, in words for people."""


def parse(text: str | bytes, defaults: RepoConfig) -> RepoConfig:
    """Validate ``.fortify.yml`` and merge it over ``defaults``; ``InvalidConfig`` if bad."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise InvalidConfig(f"{PATH} is larger than {MAX_BYTES // 1024} KB")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidConfig(f"{PATH} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None)
        detail = f" ({str(problem)[:120]})" if problem else ""
        raise InvalidConfig(f"{PATH} is not valid YAML{where}{detail}") from None
    if data is None:
        data = {}
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data),
                    key=lambda error: list(error.absolute_path))
    if errors:
        raise InvalidConfig("; ".join(_describe(error) for error in errors[:5]))
    return RepoConfig(
        failure_threshold=Severity.parse(data.get("failure_threshold",
                                                  defaults.failure_threshold.value)),
        exclude=(*defaults.exclude, *data.get("exclude", ())),
        disable_rules=defaults.disable_rules | {rule.lower() for rule in
                                                data.get("disable_rules", ())},
        unscanned_files=data.get("unscanned_files", defaults.unscanned_files),
        suppressions=Policy(data.get("suppressions", defaults.suppressions.value)),
        max_annotations=data.get("max_annotations", defaults.max_annotations),
    )


def _describe(error: jsonschema.ValidationError) -> str:
    """A schema error in the file's terms: ``failure_threshold: 'severe' is not one of…``."""
    where = ".".join(str(part) for part in error.absolute_path) or "top level"
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(SCHEMA["properties"]))
        return f"{where}: {error.message} (known keys: {known})"
    return f"{where}: {error.message}"


def load(client: Any, owner: str, repo: str, ref: str, defaults: RepoConfig,
         changed_paths: Sequence[str] = ()) -> RepoConfig:
    """The config at ``ref`` (the base commit): defaults when there is none, defaults and an
    error message when it is invalid. Transient GitHub errors propagate (the scan retries)."""
    from fortify_github.github.errors import NotFound

    notes: tuple[str, ...] = ()
    if PATH in changed_paths:
        notes = (f"This pull request changes {PATH}; the change takes effect after merge. "
                 f"This scan uses the base branch's {PATH}.",)
    try:
        item = client.get_contents(owner, repo, PATH, ref=ref)
    except NotFound:
        return _with(defaults, notes=notes)
    if not isinstance(item, dict) or item.get("type") != "file":
        return _with(defaults, error=f"{PATH} on the base branch is not a file", notes=notes)
    if int(item.get("size") or 0) > MAX_BYTES:
        return _with(defaults, error=f"{PATH} is larger than {MAX_BYTES // 1024} KB",
                     notes=notes)
    try:
        content = base64.b64decode(item.get("content") or "")
        config = parse(content, defaults)
    except (InvalidConfig, ValueError) as error:
        message = str(error) if isinstance(error, InvalidConfig) else f"{PATH} is unreadable"
        logger.info("%s/%s: invalid %s at %s", owner, repo, PATH, ref[:7])
        return _with(defaults, error=message, notes=notes)
    return _with(config, source=f"{PATH} at {ref[:7]}", notes=notes)


def _with(config: RepoConfig, **changes: Any) -> RepoConfig:
    import dataclasses

    return dataclasses.replace(config, **changes)
