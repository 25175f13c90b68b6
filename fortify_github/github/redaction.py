"""A last line of defence: no token, JWT or private key reaches a log record.

The client never logs credentials on purpose; this filter catches the accident (an exception
message quoting a URL with ``?token=``, a debug print of headers). Installed on the console
handler in settings ``LOGGING``.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[REDACTED]"

PATTERNS = [
    # Private keys, whole blocks (also with literal "\n" sequences).
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
               re.DOTALL),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[^\s\"']*"),
    # GitHub tokens: ghp_ (classic PAT), gho_ (OAuth), ghu_ (user-to-server), ghs_
    # (installation), ghr_ (refresh), github_pat_ (fine-grained PAT).
    re.compile(r"\bgh[pousr]_[A-Za-z0-9_]{10,}"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
    # JWTs (header.payload.signature, base64url).
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    # Bearer/token credentials in header dumps.
    re.compile(r"(?i)\b(?:bearer|token) (?=[A-Za-z0-9_.-]{20,})[A-Za-z0-9_.-]+"),
    # Archive download links carry a short-lived token in the query string.
    re.compile(r"(?i)(?<=[?&]token=)[^&\s\"']+"),
    # Fernet ciphertext (stored tokens) is not a secret alone, but there is no reason to log it.
    re.compile(r"\bgAAAAA[A-Za-z0-9_=-]{40,}"),
]


def redact(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrites every record's message (and exception text) with credentials masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
