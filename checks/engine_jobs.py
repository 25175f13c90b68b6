"""A scan's engine work as jobs spread over the machine's cores.

A scan runs several tool processes at once. Semgrep runs single-threaded: its own threads
share one OCaml heap and lose much of a large scan to its garbage collector (1,000 files:
109 CPU-s with two threads against 72 CPU-s with one). Bandit uses one core; detect-secrets
spreads its files over the CPUs itself, as cheaply as on one. So an engine's files become
jobs of about one worker's share of the scan's cost (Semgrep's grouped by language, so a run
loads only the rules it needs, small languages packed into one run), and the jobs run
costliest first, ``workers`` at a time.
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from checks.engines import Engine, EngineError, EngineTimeout
from checks.findings import RawFinding

#: A shard smaller than this is not worth a tool's start-up (the Python tools import
#: themselves: about a second; Semgrep's OCaml command line loads its rules in under one).
MIN_SHARD_FILES = 50


class ScanCancelled(Exception):
    """The scan was no longer wanted (a newer commit, a closed PR): stopped between jobs."""


@dataclass(frozen=True)
class Job:
    """One tool invocation's worth of files for one engine."""

    engine: Engine
    paths: list[str]
    cost: float


@dataclass(frozen=True)
class Outcome:
    """What a job gave: findings, or the error that left its files unscanned."""

    job: Job
    findings: list[RawFinding]
    error: EngineError | None
    seconds: float


def configured_workers() -> int:
    """``SCAN_ENGINE_JOBS`` when set (and Django settings are loaded), else the CPUs this
    process may run on."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        configured = int(settings.SCAN_ENGINE_JOBS or 0)
    except ImproperlyConfigured:  # settings not configured: plain library use
        configured = 0
    if configured > 0:
        return configured
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def cost_weight(engine: Engine) -> float:
    """The engine's CPU per byte relative to the others (``cost_weight``; 1 if the engine
    does not say)."""
    return float(getattr(engine, "cost_weight", 1.0))


def groups(engine: Engine, paths: list[str]) -> list[list[str]]:
    """The engine's own grouping of ``paths`` (``partition``), else one group."""
    partition = getattr(engine, "partition", None)
    return partition(paths) if callable(partition) else [paths]


def split(paths: list[str], parts: int) -> list[list[str]]:
    """``paths`` in ``parts`` contiguous pieces whose sizes differ by at most one."""
    size, extra = divmod(len(paths), parts)
    pieces, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        pieces.append(paths[start:end])
        start = end
    return [piece for piece in pieces if piece]


def plan(work: Sequence[tuple[Engine, list[str]]], workers: int,
         size: Callable[[str], int] = lambda path: 1) -> list[Job]:
    """Jobs of about a worker's share of the whole cost, costliest first so the last job to
    start is a short one. A file's cost is its engine's ``cost_weight`` times its ``size``
    (the agent passes bytes: a tool's time follows the code it reads, not the file count).

    An engine's groups (``partition``) costlier than a share are split (never below
    ``MIN_SHARD_FILES`` files a piece); cheaper ones are packed together up to a share, since
    every run pays the tool's start-up (about a second for the Python tools).
    """
    weights = {id(engine): cost_weight(engine) for engine, _ in work}
    size = functools.cache(size)  # engines share files, and each is costed several times

    def cost(engine: Engine, paths: list[str]) -> float:
        return weights[id(engine)] * sum(size(path) for path in paths)

    total = sum(cost(engine, paths) for engine, paths in work)
    share = total / max(workers, 1) or 1.0
    jobs = []
    for engine, paths in work:
        pieces = []
        for group in groups(engine, paths):
            parts = max(1, min(math.ceil(cost(engine, group) / share),
                               len(group) // MIN_SHARD_FILES))
            pieces += split(group, parts)
        costed = [(cost(engine, piece), piece) for piece in pieces]
        jobs += [Job(engine, shard, shard_cost) for shard_cost, shard in pack(costed, share)]
    if workers > 1:
        jobs.sort(key=lambda job: -job.cost)  # stable: equal costs keep the engines' order
    return jobs


def pack(pieces: list[tuple[float, list[str]]], capacity: float
         ) -> list[tuple[float, list[str]]]:
    """First-fit decreasing: the (cost, paths) pieces, costliest first, into as few bins of at
    most ``capacity`` as that gives; a piece is never divided."""
    bins: list[tuple[float, list[str]]] = []
    for piece_cost, piece in sorted(pieces, key=lambda item: -item[0]):
        for index, (bin_cost, shard) in enumerate(bins):
            if bin_cost + piece_cost <= capacity:
                bins[index] = (bin_cost + piece_cost, shard + piece)
                break
        else:
            bins.append((piece_cost, list(piece)))
    return bins


def _run(job: Job, workdir: Path, deadline: float, budget: float) -> Outcome:
    started = time.monotonic()
    try:
        remaining = deadline - started
        if remaining <= 0:
            raise EngineTimeout(job.engine.name, budget)
        findings = job.engine.run(workdir, job.paths, remaining)
    except EngineError as error:
        return Outcome(job, [], error, time.monotonic() - started)
    return Outcome(job, findings, None, time.monotonic() - started)


def run_jobs(
    jobs: Sequence[Job],
    workdir: Path,
    *,
    timeout: float,
    workers: int,
    cancelled: Callable[[], bool] | None = None,
) -> list[Outcome]:
    """Run ``jobs`` ``workers`` at a time within ``timeout`` seconds (a job that cannot start
    in time is an ``EngineTimeout``); outcomes in the jobs' order.

    ``cancelled`` is asked in this thread (it may use the database) before each job starts:
    once it says yes, no job starts, the running ones finish and ``ScanCancelled`` is raised.
    Each job runs in a copy of this thread's context, so what it reports about unscanned files
    reaches this scan's ``checks.integrity`` collector.
    """
    deadline = time.monotonic() + timeout
    outcomes: list[Outcome | None] = [None] * len(jobs)
    workers = max(workers, 1)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scan-engine") as pool:
        running: dict[Future[Outcome], int] = {}

        def collect(futures: set[Future[Outcome]]) -> None:
            for future in futures:
                outcomes[running.pop(future)] = future.result()

        for index, job in enumerate(jobs):
            while len(running) >= workers:
                collect(wait(running, return_when=FIRST_COMPLETED).done)
            if cancelled is not None and cancelled():
                raise ScanCancelled
            context = contextvars.copy_context()
            future = pool.submit(context.run, _run, job, workdir, deadline, timeout)
            running[future] = index
        collect(wait(running).done)
    return [outcome for outcome in outcomes if outcome is not None]
