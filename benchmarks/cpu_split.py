"""Where a measurement's CPU went, by kind of process, on the machine the benchmark shares.

A throughput ratio alone cannot say why one endpoint is slower than another when the web, the
workers, PostgreSQL, Redis and the load generator all share two cores: the CPU each kind of
process used while the load ran, divided by the requests served, can. Processes are told
apart by their command line; the load generator (a child this process waits for) is read from
``RUSAGE_CHILDREN``, because it has exited before the window closes.
"""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil

# (kind, what its command line contains); the first match wins.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("web", ("gunicorn",)),
    ("workers", ("celery",)),
    ("PostgreSQL", ("postgres",)),
    ("Redis", ("redis-server",)),
    ("sandbox", ("github_sandbox",)),
)
LOAD_GENERATOR = "load generator"
REST = "rest of the machine"


def kind_of(process: psutil.Process) -> str:
    try:
        command = " ".join(process.cmdline()) or process.name()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return REST
    for kind, needles in KINDS:
        if any(needle in command for needle in needles):
            return kind
    return REST


def _process_seconds() -> dict[int, tuple[str, float]]:
    seconds = {}
    for process in psutil.process_iter():
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        seconds[process.pid] = (kind_of(process), times.user + times.system)
    return seconds


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


@dataclass
class CpuSplit:
    """CPU seconds by kind of process over one window (see :func:`measure`)."""

    seconds: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    # CPU seconds of each process of one kind, by pid (how evenly the web's processes worked).
    by_process: dict[str, dict[int, float]] = field(default_factory=dict)

    def busy_share(self, seconds: float, cores: int) -> float:
        """How busy the machine's ``cores`` were over a window of ``seconds`` (1.0: all)."""
        return self.machine_busy / max(seconds, 1e-9) / max(cores, 1)

    def per_request_ms(self, requests: int) -> dict[str, float]:
        return {kind: 1000 * used / max(requests, 1) for kind, used in self.seconds.items()}

    def describe(self, requests: int) -> str:
        """``web 0.48, workers 0.40, ...`` in CPU milliseconds per request, costliest first."""
        shares = sorted(self.per_request_ms(requests).items(), key=lambda item: -item[1])
        return ", ".join(f"{kind} {ms:.2f}" for kind, ms in shares if ms >= 0.005)


@contextmanager
def measure() -> Iterator[CpuSplit]:
    """CPU used by each kind of process between entering and leaving the block. A process
    that started inside the window counts in full; one that exited inside it is lost unless
    it was this process's child (the load generator), so short-lived processes other than
    that show under "rest of the machine" through the machine's busy time."""
    split = CpuSplit()
    before, children, busy = _process_seconds(), _children_seconds(), _machine_busy_seconds()
    yield split
    after = _process_seconds()
    for pid, (kind, used) in after.items():
        earlier = before.get(pid)
        spent = max(used - earlier[1] if earlier and earlier[0] == kind else used, 0.0)
        split.seconds[kind] = split.seconds.get(kind, 0.0) + spent
        split.by_process.setdefault(kind, {})[pid] = spent
    split.seconds[LOAD_GENERATOR] = _children_seconds() - children
    split.machine_busy = _machine_busy_seconds() - busy
    accounted = sum(split.seconds.values()) - split.seconds.get(REST, 0.0)
    split.seconds[REST] = max(split.machine_busy - accounted, 0.0)
