"""Worker start-up: each pool process scans in its own scratch folder, and whatever a killed
one left behind (temp files, tool processes) is cleaned up when workers start."""

from __future__ import annotations

from typing import Any

from celery.signals import worker_process_init, worker_ready

from checks.scratch import scratch_enter, scratch_remove_stale


@worker_ready.connect
def clean_up_after_dead_workers(**_: Any) -> None:
    scratch_remove_stale()


@worker_process_init.connect
def use_own_scratch_folder(**_: Any) -> None:
    scratch_remove_stale()
    scratch_enter()
