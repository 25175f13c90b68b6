"""Fixers for well-understood Bandit findings, on top of Semgrep's ``fix:`` rules.

Each fixer edits the Python syntax tree's source positions, never a regular expression over
the line, and a fix is kept only when the fixed file still parses (checked on the finding's
lines alone when they are whole statements; each file is parsed once). A fix replaces the
finding's lines ``start_line..end_line`` as a whole (what a GitHub suggestion does). No
Django here: the scan agent service uses it too.
"""

from __future__ import annotations

import ast
import dataclasses
import logging
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from checks.findings import Finding

logger = logging.getLogger(__name__)

#: (start offset, end offset, replacement) in the text of the finding's lines.
Edit = tuple[int, int, str]
Fixer = Callable[[ast.Call, "_Segment"], list[Edit] | None]

#: Words near an MD5 call that say it is not a security use (cache keys, ETags, checksums).
_NOT_SECURITY = re.compile(r"etag|checksum|cache|fingerprint|dedup|content_?id|bucket|shard",
                           re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class _Segment:
    """The finding's lines, with ``offset(node)`` mapping AST positions into them."""

    text: str
    start_line: int
    line_starts: tuple[int, ...]
    #: The few lines above (the enclosing ``def``, an assignment): hints, never edited.
    context: str = ""

    @classmethod
    def of(cls, lines: Sequence[str], start_line: int, context: str = "") -> _Segment:
        text = "\n".join(lines)
        starts, position = [], 0
        for line in lines:
            starts.append(position)
            position += len(line) + 1
        return cls(text, start_line, tuple(starts), context)

    def offset(self, line: int, column_bytes: int) -> int:
        """AST columns count UTF-8 bytes; the text counts characters."""
        start = self.line_starts[line - self.start_line]
        line_text = self.text[start:].split("\n", 1)[0]
        return start + len(line_text.encode()[:column_bytes].decode(errors="ignore"))

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _drop_keyword(call: ast.Call, name: str, segment: _Segment) -> list[Edit] | None:
    """Remove ``name=...`` and the comma that separates it from its neighbour."""
    arguments: list[ast.AST] = [*call.args, *call.keywords]
    arguments.sort(key=lambda node: (node.lineno, node.col_offset))  # type: ignore[attr-defined]
    index = next((i for i, node in enumerate(arguments)
                  if isinstance(node, ast.keyword) and node.arg == name), None)
    if index is None:
        return None
    keyword = arguments[index]
    if index > 0:
        return [(segment.end(arguments[index - 1]), segment.end(keyword), "")]
    if index + 1 < len(arguments):
        return [(segment.start(keyword), segment.start(arguments[index + 1]), "")]
    return [(segment.start(keyword), segment.end(keyword), "")]


def fix_yaml_load(call: ast.Call, segment: _Segment) -> list[Edit] | None:
    """B506: ``yaml.load(data, Loader=...)`` -> ``yaml.safe_load(data)``."""
    if _dotted(call.func) != "yaml.load" or len(call.args) != 1:
        return None
    if any(keyword.arg not in ("Loader",) for keyword in call.keywords):
        return None
    attribute = call.func
    assert isinstance(attribute, ast.Attribute)
    name_end = segment.end(attribute)
    edits: list[Edit] = [(name_end - len("load"), name_end, "safe_load")]
    if call.keywords:
        edits += _drop_keyword(call, "Loader", segment) or []
    return edits


def fix_verify_false(call: ast.Call, segment: _Segment) -> list[Edit] | None:
    """B501: drop ``verify=False`` so certificates are checked again."""
    verify = next((k for k in call.keywords if k.arg == "verify"), None)
    if verify is None or not (isinstance(verify.value, ast.Constant)
                              and verify.value.value is False):
        return None
    return _drop_keyword(call, "verify", segment)


def fix_shell_true_with_list(call: ast.Call, segment: _Segment) -> list[Edit] | None:
    """B602: ``subprocess.run([...literal...], shell=True)`` -> without ``shell=True``.

    With a list, ``shell=True`` runs only the first element through the shell; a literal
    list says the author meant to run the program directly.
    """
    if not _dotted(call.func).startswith("subprocess.") or not call.args:
        return None
    command = call.args[0]
    if not isinstance(command, ast.List) or not command.elts or not all(
            isinstance(item, ast.Constant) and isinstance(item.value, str)
            for item in command.elts):
        return None
    shell = next((k for k in call.keywords if k.arg == "shell"), None)
    if shell is None or not (isinstance(shell.value, ast.Constant) and shell.value.value is True):
        return None
    return _drop_keyword(call, "shell", segment)


def fix_md5_not_for_security(call: ast.Call, segment: _Segment) -> list[Edit] | None:
    """B324: ``hashlib.md5(x)`` -> ``hashlib.md5(x, usedforsecurity=False)``, only where the
    surrounding names say it is a checksum, cache key or ETag rather than security."""
    if _dotted(call.func) not in ("hashlib.md5", "hashlib.sha1"):
        return None
    if any(keyword.arg == "usedforsecurity" for keyword in call.keywords):
        return None
    if not _NOT_SECURITY.search(segment.context + "\n" + segment.text):
        return None
    closing = segment.end(call) - 1
    if segment.text[closing] != ")":
        return None
    separator = ", " if call.args or call.keywords else ""
    return [(closing, closing, f"{separator}usedforsecurity=False")]


#: Bandit test id -> fixer.
FIXERS: dict[str, Fixer] = {
    "B506": fix_yaml_load,
    "B501": fix_verify_false,
    "B602": fix_shell_true_with_list,
    "B324": fix_md5_not_for_security,
}


@dataclasses.dataclass(frozen=True)
class ParsedSource:
    """One file parsed once for all of its findings: a file with thousands of findings must
    not be parsed and walked again for each one."""

    lines: list[str]
    #: Line number -> (position in ``ast.walk`` order, call) of the calls that start there.
    calls_by_line: dict[int, list[tuple[int, ast.Call]]]

    @classmethod
    def of(cls, source: str) -> ParsedSource | None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return None
        calls: dict[int, list[tuple[int, ast.Call]]] = {}
        for position, node in enumerate(ast.walk(tree)):
            if isinstance(node, ast.Call):
                calls.setdefault(node.lineno, []).append((position, node))
        return cls(source.split("\n"), calls)

    def calls_within(self, start_line: int, end_line: int) -> list[ast.Call]:
        """The calls wholly on lines ``start_line..end_line``, in ``ast.walk`` order."""
        found = [entry for line in range(start_line, end_line + 1)
                 for entry in self.calls_by_line.get(line, ())
                 if (entry[1].end_lineno or entry[1].lineno) <= end_line]
        return [call for _, call in sorted(found, key=lambda entry: entry[0])]

    def still_parses(self, start_line: int, end_line: int, fixed: str) -> bool:
        """Whether the file parses with lines ``start_line..end_line`` replaced by ``fixed``.

        When the original lines are whole statements on their own, the fixed lines parsing
        on their own is enough (a fixer edits inside one call); otherwise the whole file is
        parsed again."""
        original = "\n".join(self.lines[start_line - 1:end_line])
        try:
            ast.parse(textwrap.dedent(original))
        except (SyntaxError, ValueError):
            candidate = "\n".join([*self.lines[:start_line - 1], fixed, *self.lines[end_line:]])
        else:
            candidate = textwrap.dedent(fixed)
        try:
            ast.parse(candidate)
        except (SyntaxError, ValueError):
            return False
        return True


def fix_for(source: str | ParsedSource, finding: Finding) -> str | None:
    """Replacement text for the finding's lines, or ``None`` when no fixer applies safely."""
    fixer = FIXERS.get(finding.rule_id) if finding.engine == "bandit" else None
    if fixer is None:
        return None
    parsed = ParsedSource.of(source) if isinstance(source, str) else source
    if parsed is None or finding.end_line > len(parsed.lines):
        return None
    lines = parsed.lines
    segment = _Segment.of(lines[finding.start_line - 1:finding.end_line], finding.start_line,
                          "\n".join(lines[max(finding.start_line - 4, 0):finding.start_line - 1]))
    for node in parsed.calls_within(finding.start_line, finding.end_line):
        edits = fixer(node, segment)
        if not edits:
            continue
        fixed = _apply(segment.text, edits)
        if not parsed.still_parses(finding.start_line, finding.end_line, fixed):
            logger.warning("fixer for %s produced invalid code; not offered", finding.rule_id)
            return None
        return fixed
    return None


def _apply(text: str, edits: Iterable[Edit]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def with_fixes(workdir: Path, findings: list[Finding]) -> list[Finding]:
    """The findings, with ``fix`` set where a fixer applies (Semgrep's own fixes are kept)."""
    sources: dict[str, ParsedSource | None] = {}
    fixed = []
    for finding in findings:
        if finding.fix is None and finding.engine == "bandit" and finding.rule_id in FIXERS:
            if finding.path not in sources:
                try:
                    text = (workdir / finding.path).read_text("utf-8")
                except (OSError, UnicodeDecodeError):
                    sources[finding.path] = None
                else:
                    sources[finding.path] = ParsedSource.of(text)
            source = sources[finding.path]
            replacement = fix_for(source, finding) if source is not None else None
            if replacement is not None:
                finding = dataclasses.replace(finding, auto_fixable=True, fix=replacement)
        fixed.append(finding)
    return fixed
