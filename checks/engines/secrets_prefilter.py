"""detect-secrets' own command line, asking each file only the plugins that can match it.

detect-secrets asks every plugin about every line, each call through its argument-injecting
dispatcher: 27 plugins times ~110,000 lines in a 1,000-file scan, most of its CPU. 24 of
them are plain regex detectors (AWS keys, Stripe keys, private keys, ...): such a plugin
reports nothing on a line none of its patterns matches, so one search of the file's lines,
joined, decides whether it needs asking at all. The patterns are searched in multi-line mode
(``^`` and ``$`` still match at each line's ends) over the lines as the plain scan sees them,
one per line, so a plugin is skipped only where it could not have matched. Plugins that
judge more than their patterns (keywords, entropy) still see every line, and the findings,
filters and output are detect-secrets' own (``tests/checks/test_secrets_prefilter.py``
compares them with the plain command line).

The tool also runs its line filters (allowlist pragmas, indirect references, ...) on every
line before asking the plugins, although a filter only ever removes findings: about a third
of its remaining CPU on source code, where few lines hold anything secret-shaped. Here the
plugins are asked first and a line's filters run only when some plugin found something on
it. The filters are pure functions of the line, its file and its context, so what is
reported does not change.

Run as ``python secrets_prefilter.py scan ...``, the same arguments as ``detect-secrets``; the
script imports nothing of ours, so the tool's process does not load Django.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Generator, Sequence
from typing import Any

from detect_secrets import settings
from detect_secrets.core import scan
from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins import keyword
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.plugins.keyword import KeywordDetector
from detect_secrets.util.code_snippet import get_code_snippet

_patterns: dict[type, list[re.Pattern[str]] | None] = {}
#: The plugins asked about the file being scanned; None outside a file's scan.
_asked: list[Any] | None = None


def patterns_of(plugin: Any) -> list[re.Pattern[str]] | None:
    """The patterns that decide whether ``plugin`` can report anything, recompiled in
    multi-line mode; None when it judges lines some other way and must see every one."""
    kind = type(plugin)
    if kind not in _patterns:
        plain = (isinstance(plugin, RegexBasedDetector)
                 and kind.analyze_line is BasePlugin.analyze_line)
        _patterns[kind] = ([re.compile(pattern.pattern, pattern.flags | re.MULTILINE)
                            for pattern in plugin.denylist] if plain
                           else keyword_patterns() if kind is KeywordDetector else None)
    return _patterns[kind]


def keyword_patterns() -> list[re.Pattern[str]] | None:
    """The keyword detector reports a line only where one of its keywords (``password``,
    ``secret``, ``api_?key``, ...) occurs: each of its patterns embeds the keyword
    alternation (most case-insensitively). That alternation alone, case-insensitive, decides
    whether a file needs the detector; None if its patterns are not built that way."""
    alternation = "|".join(keyword.DENYLIST)
    patterns = [*keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
                *(pattern for by_group in keyword.REGEX_BY_FILETYPE.values()
                  for pattern in by_group)]
    if not all(f"({alternation})" in pattern.pattern and not pattern.flags & re.VERBOSE
               for pattern in patterns):
        return None
    return [re.compile(alternation, re.IGNORECASE | re.MULTILINE)]


def plugins_for(text: str, plugins: Sequence[Any]) -> list[Any]:
    """The ``plugins`` that could report something in ``text`` (a file's lines, joined)."""
    asked = []
    for plugin in plugins:
        patterns = patterns_of(plugin)
        if patterns is None or any(pattern.search(text) for pattern in patterns):
            asked.append(plugin)
    return asked


def install() -> bool:
    """Make detect-secrets' line scan ask only the plugins that can match each file, and
    filter lines only where something was found; False (nothing changed, the plain scan
    runs) if its internals are not the ones this knows."""
    global _asked
    known = all(callable(getattr(scan, name, None)) for name in (
        "_process_line_based_plugins", "_scan_line", "_is_filtered_out"))
    if not known or getattr(scan, "get_plugins", None) is not settings.get_plugins:
        return False

    def scan_lines(lines: list[tuple[int, str]], filename: str
                   ) -> Generator[PotentialSecret, None, None]:
        global _asked
        # Each line as the plain scan sees it (trailing white space stripped), one per line.
        text = "\n".join(line.rstrip() for _, line in lines)
        _asked = plugins_for(text, settings.get_plugins())
        try:
            yield from scan_lines_filtered_last(lines, filename)
        finally:
            _asked = None

    def plugins_asked() -> list[Any]:
        return settings.get_plugins() if _asked is None else _asked

    _asked = None
    scan._process_line_based_plugins = scan_lines
    scan.get_plugins = plugins_asked  # type: ignore[assignment]  # a cached function in the tool
    return True


def scan_lines_filtered_last(lines: list[tuple[int, str]], filename: str
                             ) -> Generator[PotentialSecret, None, None]:
    """detect-secrets' line loop (``scan._process_line_based_plugins``) with the line filters
    run after the plugins, on the lines where some plugin found something."""
    line_content = [content for _, content in lines]
    for line_number, raw_line in lines:
        line = raw_line.rstrip()
        context = get_code_snippet(lines=line_content, line_number=line_number)
        found = [(plugin, secret) for plugin in scan.get_plugins()
                 for secret in scan._scan_line(plugin=plugin, filename=filename, line=line,
                                               line_number=line_number, context=context)]
        if not found or scan._is_filtered_out(required_filter_parameters=["line"],
                                              filename=filename, line=line, context=context):
            continue
        for plugin, secret in found:
            if not scan._is_filtered_out(required_filter_parameters=["context"],
                                         filename=secret.filename, secret=secret.secret_value,
                                         plugin=plugin, line=line, context=context):
                yield secret


def main(argv: Sequence[str]) -> int:
    from detect_secrets.main import main as detect_secrets_main

    install()
    return int(detect_secrets_main(list(argv)) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
