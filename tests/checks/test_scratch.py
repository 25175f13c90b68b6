"""The scratch space of dead worker processes is removed, zombies included, and a live one's kept.

Real processes: a zombie is a child that exited and was not reaped (a killed worker's pool
process stays one until its new parent reaps it, which in a container may be never).
"""

from __future__ import annotations

import os
import subprocess

from checks.scratch import GROUPS_FILE, scratch_remove_stale
from tests.support.processes import is_running, wait_until


def test_a_zombie_workers_folder_and_tool_group_go_and_a_live_workers_folder_stays(
        settings, tmp_path):
    settings.SCAN_TEMP_DIR = str(tmp_path)
    dead = subprocess.Popen(["true"])  # never waited for until the end: a zombie meanwhile
    tool = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        # Never waited for, the exited child cannot be gone: it is a zombie.
        wait_until(lambda: not is_running(dead.pid), timeout=10, what="the child to be a zombie")
        (tmp_path / str(dead.pid)).mkdir()
        (tmp_path / str(dead.pid) / "workspace.txt").write_text("left behind")
        (tmp_path / str(dead.pid) / GROUPS_FILE).write_text(f"{tool.pid}\n")
        (tmp_path / str(os.getpid())).mkdir()
        (tmp_path / "not-a-worker").mkdir()

        assert scratch_remove_stale() == [dead.pid]

        assert not (tmp_path / str(dead.pid)).exists()
        assert (tmp_path / str(os.getpid())).is_dir()
        assert (tmp_path / "not-a-worker").is_dir()
        # the dead worker's scanner was killed with its group
        wait_until(lambda: tool.poll() is not None, timeout=10, what="the scanner to be killed")
        assert scratch_remove_stale() == []  # nothing left to do: a second sweep is a no-op
    finally:
        dead.wait()
        if tool.poll() is None:
            tool.kill()
            tool.wait()


def test_a_missing_scratch_root_is_nothing_to_clean(settings, tmp_path):
    settings.SCAN_TEMP_DIR = str(tmp_path / "never-created")
    assert scratch_remove_stale() == []
