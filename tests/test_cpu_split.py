"""``benchmarks.cpu_split``: the CPU each kind of process used over a window, which
``benchmarks.ingest`` prints per request. Real processes burn real CPU here; the bounds are
loose because the machine runs other work at the same time."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from benchmarks import cpu_split

# Burns about `seconds` of CPU, then waits to be stopped.
BURN = """
import sys, time
end = time.process_time() + float(sys.argv[1])
while time.process_time() < end:
    pass
print("done", flush=True)
time.sleep(60)
"""


def test_a_process_is_counted_under_the_kind_its_command_line_names():
    with subprocess.Popen([sys.executable, "-c", BURN, "0.3", "celery"],
                          stdout=subprocess.PIPE, text=True) as worker:
        try:
            time.sleep(0.05)  # started before the window opens, as the benchmark's are
            with cpu_split.measure() as split:
                assert worker.stdout is not None
                assert worker.stdout.readline() == "done\n"
        finally:
            worker.kill()

    assert 0.15 <= split.seconds["workers"] <= 1.0
    assert split.machine_busy >= split.seconds["workers"] * 0.9
    # ... and under its own pid, so uneven work between processes of one kind shows (other
    # workers the suite runs may add to the kind's total).
    assert 0.15 <= split.by_process["workers"][worker.pid] <= split.seconds["workers"]


def test_the_load_generator_is_counted_after_it_exits():
    with cpu_split.measure() as split:
        subprocess.run([sys.executable, "-c", BURN.replace("time.sleep(60)", ""), "0.3"],
                       check=True, capture_output=True)

    assert 0.25 <= split.seconds[cpu_split.LOAD_GENERATOR] <= 1.5


def test_per_request_figures_divide_by_the_requests_and_skip_what_is_negligible():
    split = cpu_split.CpuSplit(seconds={"web": 0.6, "workers": 1.2, "Redis": 0.00001},
                               machine_busy=2.0)
    assert split.per_request_ms(1000) == pytest.approx({"web": 0.6, "workers": 1.2,
                                                        "Redis": 0.00001})
    assert split.busy_share(2.0, 2) == pytest.approx(0.5)  # 2 CPU-s over 2 s of 2 cores
    assert split.describe(1000) == "workers 1.20, web 0.60"
    assert split.describe(0) == "workers 1200.00, web 600.00, Redis 0.01"  # as if 1 request
