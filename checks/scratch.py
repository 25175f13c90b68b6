"""Scratch space of scans: one folder per worker process, removed once that process is gone.

A worker killed mid-scan (SIGKILL, OOM) runs no clean-up, so each pool process keeps all its
temporary files (workspaces, engine homes, the tools' own temp files) under
``SCAN_TEMP_DIR/<pid>`` and records the process groups of the tools it starts there. Worker
starts and the periodic scan sweep remove the folders of dead processes and kill what is left of
their groups.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

GROUPS_FILE = ".tool-process-groups"
_current: Path | None = None


def scratch_root() -> Path:
    from django.conf import settings

    return Path(settings.SCAN_TEMP_DIR)


def scratch_enter() -> Path:
    """Make this process's scratch folder its temp dir (``tempfile`` and the tools' TMPDIR)."""
    global _current
    folder = scratch_root() / str(os.getpid())
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    _current = folder
    return folder


def tool_group_started(pgid: int) -> None:
    """Note a tool's process group, so a later worker can kill it if this process dies."""
    if _current is not None:
        with contextlib.suppress(OSError), (_current / GROUPS_FILE).open("a") as groups:
            groups.write(f"{pgid}\n")


def _alive(pid: int) -> bool:
    """Running, not a zombie: a killed worker's process stays a zombie until someone reaps it
    (in a container, possibly never), and its folder must not wait for that."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no procfs (macOS) or gone meanwhile: signal 0 said it exists
        return True
    state = stat.rpartition(")")[2].split()[0]  # the name in parentheses may hold spaces
    return state not in ("Z", "X")


def scratch_remove_stale() -> list[int]:
    """Kill the tool groups and remove the folders of worker processes that are gone."""
    root = scratch_root()
    removed: list[int] = []
    if not root.is_dir():
        return removed
    for folder in root.iterdir():
        if not folder.name.isdigit() or _alive(int(folder.name)):
            continue
        groups = folder / GROUPS_FILE
        for line in groups.read_text().split() if groups.exists() else []:
            with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                os.killpg(int(line), signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(int(folder.name))
    if removed:
        logger.warning("removed the scratch space of %d dead worker process(es)", len(removed))
    return removed
