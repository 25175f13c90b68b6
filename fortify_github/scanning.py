"""The scanning vocabulary every app shares: one ``Severity`` and one ``ScanMode``.

Django ``TextChoices`` (so model fields, forms and the API use them as choices) with no model
behind them: the scan agent service imports this module without Django settings.
"""

from __future__ import annotations

from django.db.models import TextChoices


class Severity(TextChoices):
    """Fortify's severity scale, highest first; engines map their own scales onto it, and a
    repository's failure threshold is one of them."""

    CRITICAL = "CRITICAL", "Critical"
    HIGH = "HIGH", "High"
    MEDIUM = "MEDIUM", "Medium"
    LOW = "LOW", "Low"
    INFO = "INFO", "Info"

    @property
    def rank(self) -> int:
        """4 for CRITICAL down to 0 for INFO, so severities compare as numbers."""
        return _RANKS[self.value]

    def at_least(self, threshold: Severity) -> bool:
        """True when this severity is as severe as ``threshold`` or more."""
        return self.rank >= Severity(threshold).rank

    def lowered(self) -> Severity:
        """One step less severe (INFO stays INFO); used when an engine is unsure."""
        return Severity(_BY_RANK[max(self.rank - 1, 0)])

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Case-insensitive lookup; raises ``ValueError`` for unknown names."""
        return cls(value.strip().upper())


_RANKS = {"CRITICAL": 4, "HIGH": 3, "MEDIUM": 2, "LOW": 1, "INFO": 0}
_BY_RANK = {rank: value for value, rank in _RANKS.items()}


class ScanMode(TextChoices):
    #: Pull request: report only findings on added/changed lines.
    PR_DIFF = "pr_diff", "Changed lines of the pull request"
    #: Whole tree (e.g. default branch): report everything.
    FULL = "full", "Whole repository"
