"""Scanning engines: each wraps one real tool and returns normalised ``RawFinding``s."""

from __future__ import annotations

from checks.engines.bandit import BanditEngine
from checks.engines.base import Engine, EngineError, EngineTimeout, ToolExitError
from checks.engines.secrets import DetectSecretsEngine
from checks.engines.semgrep import SemgrepEngine

__all__ = [
    "BanditEngine",
    "DetectSecretsEngine",
    "Engine",
    "EngineError",
    "EngineTimeout",
    "SemgrepEngine",
    "ToolExitError",
    "default_engines",
]


def default_engines() -> list[Engine]:
    """The engines a builtin scan runs, cheapest first."""
    return [DetectSecretsEngine(), BanditEngine(), SemgrepEngine()]
