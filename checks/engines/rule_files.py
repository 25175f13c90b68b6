"""Semgrep rule files as Semgrep's OCaml command line reads them.

Our rule files share sources, sinks and sanitizers through YAML anchors kept under ``x-``
keys, and splice anchored lists into lists (``pattern-sources: [*web-sources, ...]``).
Semgrep's Python front end accepts both; its OCaml command line (``semgrep scan
--experimental``), which reports the same findings for about three quarters of the CPU,
rejects the unknown top-level keys and the nested lists. So each rule file is loaded once per
process, anchors expanded and spliced lists flattened, and written as plain ``rules:`` to a
private folder (in a worker, under its scratch space: ``checks.scratch``).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

import yaml

from checks.engines.base import EngineError

try:  # libyaml's loader reads our largest rule file in 30 ms, the pure-Python one in 280
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

RULE_SUFFIXES = (".yml", ".yaml")

_lock = threading.Lock()
_resolved: dict[tuple[str, int, int], Path] = {}
_folder: Path | None = None


class _PlainDumper(yaml.SafeDumper):
    """Never writes anchors: the OCaml reader gets every pattern spelled out."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def rule_files(config: Path) -> list[Path]:
    """The YAML files a ``--config`` loads: the file itself, or a folder's YAML files (not
    in hidden folders), as Semgrep reads a folder."""
    if not config.is_dir():
        return [config]
    return sorted(path for path in config.rglob("*")
                  if path.suffix in RULE_SUFFIXES and path.is_file()
                  and not any(part.startswith(".") for part in path.relative_to(config).parts))


def flattened(node: Any) -> Any:
    """``node`` with every list spliced into the list that holds it, at any depth."""
    if isinstance(node, dict):
        return {key: flattened(value) for key, value in node.items()}
    if isinstance(node, list):
        items: list[Any] = []
        for item in node:
            if isinstance(item, list):
                items.extend(flattened(item))
            else:
                items.append(flattened(item))
        return items
    return node


def plain_configs(configs: list[str]) -> list[str]:
    """Each ``--config`` (a rule file or a folder of them) as plain rule files."""
    with _lock:
        return [str(_plain(path)) for config in configs for path in rule_files(Path(config))]


def _plain(path: Path) -> Path:
    try:
        stat = path.stat()
    except OSError as exc:
        raise EngineError("semgrep", "rules directory not found") from exc
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    cached = _resolved.get(key)
    if cached is not None and cached.is_file():
        return cached
    try:
        document = yaml.load(path.read_bytes(), Loader=SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise EngineError("semgrep", "invalid rule configuration") from exc
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise EngineError("semgrep", "invalid rule configuration")
    target = _private_folder() / f"{len(_resolved)}-{path.stem}.yml"
    target.write_text(yaml.dump({"rules": flattened(document["rules"])}, Dumper=_PlainDumper,
                                sort_keys=False, allow_unicode=True), encoding="utf-8")
    _resolved[key] = target
    return target


def _private_folder() -> Path:
    global _folder
    if _folder is None or not _folder.is_dir():
        _folder = Path(tempfile.mkdtemp(prefix="fortify-semgrep-rules-"))
    return _folder
