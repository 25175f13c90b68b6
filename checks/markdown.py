"""Repository text inside the check run's Markdown, rendered as text and nothing else.

Paths, rule messages and suppression reasons come from the pull request: a path named
``[approved](https://evil.example)`` or one with backticks must not become a link, an image,
HTML, or break out of a code span. CommonMark rules used here:

* every ASCII punctuation character may be backslash-escaped, and is then literal;
* a code span opened by N backticks ends only at a run of exactly N backticks, and nothing
  inside it is interpreted, so a fence longer than any run in the text cannot be closed early;
* a blank line ends any inline construct, so line breaks in repository text are flattened.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_BACKTICK_RUNS = re.compile(r"`+")
#: Line breaks and other control characters: shown as U+FFFD, never as structure.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def flatten(value: str) -> str:
    """One line of plain characters: control characters and line breaks become U+FFFD."""
    return _CONTROL.sub("\ufffd", value)


def text(value: str) -> str:
    """``value`` as literal Markdown text: every punctuation character escaped."""
    return _PUNCTUATION.sub(r"\\\1", flatten(value))


def code(value: str) -> str:
    """``value`` as an inline code span that no content can close early."""
    value = flatten(value)
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(value)), default=0)
    fence = "`" * (longest + 1)
    if longest or value.startswith(" ") or value.endswith(" "):
        # CommonMark strips one space on each side; they keep edge backticks apart.
        return f"{fence} {value} {fence}"
    return f"{fence}{value}{fence}"
