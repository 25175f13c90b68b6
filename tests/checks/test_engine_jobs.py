"""A scan's engine work split into jobs and run on several cores (``checks.engine_jobs``).

Planning is pure logic; running uses small engines written here (to fail one shard, to block,
to report a gap from a worker thread) and, for the result a user sees, the real engines.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from checks import integrity
from checks.agent import ScanCancelled, ScanMode, scan_workspace
from checks.engine_jobs import MIN_SHARD_FILES, plan, run_jobs, split
from checks.engines import EngineError, SemgrepEngine, default_engines
from checks.findings import RawFinding, Severity
from checks.integrity import Reason


class ListingEngine:
    """Flags line 1 of each file; fails on a shard holding a file named ``broken*``, and
    reports ``gap*`` files as unparseable, as a real tool's ``errors`` would."""

    def __init__(self, name: str = "listing", *, cost: float = 1.0, by_suffix: bool = False,
                 pause: float = 0.0) -> None:
        self.name = name
        self.cost_weight = cost
        self.by_suffix = by_suffix
        self.pause = pause
        self.calls: list[list[str]] = []
        self.threads: set[str] = set()

    def version(self) -> str:
        return "1"

    def applies_to(self, path: str) -> bool:
        return True

    def partition(self, paths: list[str]) -> list[list[str]]:
        if not self.by_suffix:
            return [paths]
        groups: dict[str, list[str]] = {}
        for path in paths:
            groups.setdefault(Path(path).suffix, []).append(path)
        return list(groups.values())

    def run(self, workdir: Path, paths: list[str], timeout: float) -> list[RawFinding]:
        self.calls.append(list(paths))
        self.threads.add(threading.current_thread().name)
        time.sleep(self.pause)
        if any(Path(path).name.startswith("broken") for path in paths):
            raise EngineError(self.name, "exited with status 2")
        for path in paths:
            if Path(path).name.startswith("gap"):
                integrity.report(path, Reason.UNPARSEABLE, self.name)
        return [RawFinding(engine=self.name, rule_id="line-one", severity=Severity.HIGH,
                           title="Line one", description="", recommendation="", path=path,
                           start_line=1, end_line=1, snippet="", cwe="CWE-89")
                for path in paths if not Path(path).name.startswith("gap")]


def files(root: Path, names: list[str]) -> list[str]:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("query = 'x'\n")
    return names


# --- planning -------------------------------------------------------------------------------

def test_split_gives_contiguous_pieces_differing_by_at_most_one() -> None:
    pieces = split([str(n) for n in range(7)], 3)
    assert pieces == [["0", "1", "2"], ["3", "4"], ["5", "6"]]
    assert split(["a"], 4) == [["a"]]


def test_one_worker_keeps_one_job_per_engine_in_the_engines_order() -> None:
    cheap, costly = ListingEngine("cheap"), ListingEngine("costly", cost=7)
    paths = [f"f{n}.py" for n in range(500)]
    jobs = plan([(cheap, paths), (costly, paths)], workers=1)
    assert [(job.engine.name, len(job.paths)) for job in jobs] == [("cheap", 500),
                                                                   ("costly", 500)]


def test_the_costly_engine_is_split_and_every_job_is_ordered_costliest_first() -> None:
    cheap, costly = ListingEngine("cheap"), ListingEngine("costly", cost=7)
    paths = [f"f{n}.py" for n in range(1000)]
    jobs = plan([(cheap, paths), (costly, paths)], workers=2)
    assert [(job.engine.name, len(job.paths)) for job in jobs] == [
        ("costly", 500), ("costly", 500), ("cheap", 1000)]
    assert sorted(path for job in jobs if job.engine is costly for path in job.paths) == \
        sorted(paths)


def test_a_partition_costlier_than_a_share_is_split_and_cheap_ones_are_packed() -> None:
    engine = ListingEngine("semgrep-like", cost=7, by_suffix=True)
    paths = ([f"a{n}.go" for n in range(200)] + [f"b{n}.rb" for n in range(60)]
             + [f"c{n}.py" for n in range(60)])
    jobs = plan([(engine, paths)], workers=2)
    # a share is 160 files: Go's 200 are split in two halves, and Ruby and Python each fill
    # up a half's run
    assert [job.cost for job in jobs] == [7 * 160, 7 * 160]
    assert sorted(sorted({Path(path).suffix for path in job.paths}) for job in jobs) == [
        [".go", ".py"], [".go", ".rb"]]
    assert sorted(path for job in jobs for path in job.paths) == sorted(paths)
    few = plan([(engine, [f"a{n}.go" for n in range(MIN_SHARD_FILES + 10)])], workers=8)
    assert len(few) == 1


def test_cost_follows_the_size_of_the_files() -> None:
    engine = ListingEngine("sized", cost=1, by_suffix=True)
    sizes = {"big.java": 9000, **{f"s{n}.rb": 100 for n in range(60)}}
    jobs = plan([(engine, list(sizes))], workers=2, size=sizes.__getitem__)
    assert [(len(job.paths), job.cost) for job in jobs] == [(1, 9000), (60, 6000)]


def test_semgrep_groups_by_language_so_each_run_loads_one_languages_rules() -> None:
    engine = SemgrepEngine()
    groups = engine.partition(["a.py", "b.ts", "c.js", "d.go", "e.py", "f.rb"])
    assert sorted(sorted(group) for group in groups) == [
        ["a.py", "e.py"], ["b.ts", "c.js"], ["d.go"], ["f.rb"]]
    for group in groups:
        assert len({Path(config).stem for config in engine.configs_for(group)}) == 1


# --- running --------------------------------------------------------------------------------

def test_jobs_run_at_once_and_outcomes_come_back_in_plan_order(tmp_path: Path) -> None:
    engine = ListingEngine(cost=7, pause=0.3)
    paths = files(tmp_path, [f"f{n}.py" for n in range(2 * MIN_SHARD_FILES)])
    jobs = plan([(engine, paths)], workers=2)
    outcomes = run_jobs(jobs, tmp_path, timeout=60, workers=2)
    assert [outcome.job for outcome in outcomes] == jobs
    assert len(engine.threads) == 2  # two worker threads ran the two shards
    assert all(outcome.error is None for outcome in outcomes)


def test_a_failed_shard_leaves_only_its_files_unscanned(tmp_path: Path) -> None:
    engine = ListingEngine(cost=7)
    names = [f"f{n}.py" for n in range(2 * MIN_SHARD_FILES - 1)] + ["zz/broken.py"]
    paths = files(tmp_path, names)
    result = scan_workspace(tmp_path, paths, mode=ScanMode.FULL, changed_lines={},
                            engines=[engine], jobs=2)
    failed = next(call for call in engine.calls if "zz/broken.py" in call)
    assert {gap.path for gap in result.unscanned} == set(failed)
    assert {gap.reason for gap in result.unscanned} == {Reason.ENGINE_FAILED}
    assert {finding.path for finding in result.findings} == set(paths) - set(failed)
    assert set(result.files_scanned) == set(paths) - set(failed)


def test_a_gap_reported_inside_a_worker_thread_reaches_the_scan(tmp_path: Path) -> None:
    engine = ListingEngine(cost=7)
    paths = files(tmp_path, [f"f{n}.py" for n in range(2 * MIN_SHARD_FILES)] + ["gap.py"])
    result = scan_workspace(tmp_path, paths, mode=ScanMode.FULL, changed_lines={},
                            engines=[engine], jobs=2)
    assert [(gap.path, gap.reason) for gap in result.unscanned] == [
        ("gap.py", Reason.UNPARSEABLE)]


def test_once_cancelled_no_job_starts_and_the_running_ones_finish(tmp_path: Path) -> None:
    first, second, third = (ListingEngine(name, pause=0.2) for name in ("a", "b", "c"))
    paths = files(tmp_path, ["app.py"])
    asked: list[int] = []

    def cancelled() -> bool:  # wanted for the first two jobs, superseded after
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(ScanCancelled):
        scan_workspace(tmp_path, paths, mode=ScanMode.FULL, changed_lines={},
                       engines=[first, second, third], cancelled=cancelled, jobs=2)
    assert (len(first.calls), len(second.calls), len(third.calls)) == (1, 1, 0)


def test_a_job_that_cannot_start_before_the_deadline_is_a_timeout(tmp_path: Path) -> None:
    slow, later = ListingEngine("slow", cost=2, pause=1.5), ListingEngine("later")
    paths = files(tmp_path, ["app.py"])
    result = scan_workspace(tmp_path, paths, mode=ScanMode.FULL, changed_lines={},
                            engines=[slow, later], jobs=1, timeout=1.0)
    assert later.calls == []
    assert [(gap.engine, gap.reason) for gap in result.unscanned] == [
        ("later", Reason.ENGINE_TIMEOUT)]


def test_real_engines_find_the_same_on_one_core_and_on_several(tmp_path: Path) -> None:
    sources = {
        "db.py": "def find(cursor, name):\n"
                 "    cursor.execute(\"SELECT * FROM t WHERE n = '%s'\" % name)\n",
        "run.py": "import subprocess\n\ndef go(cmd):\n    subprocess.call(cmd, shell=True)\n",
        "server.js": "const cp = require('child_process');\n"
                     "app.get('/x', (req, res) => { cp.exec('ls ' + req.query.dir); });\n",
        "Main.java": "class Main { void f(java.sql.Statement s, String id) throws Exception {\n"
                     "  s.executeQuery(\"SELECT * FROM t WHERE id = \" + id); } }\n",
        "keys.rb": "AWS_KEY = 'AKIAIOSFODNN7EXAMPLQ'\n",
    }
    for name, text in sources.items():
        (tmp_path / name).write_text(text)

    def found(jobs: int) -> list[tuple[str, int, str, str]]:
        result = scan_workspace(tmp_path, list(sources), mode=ScanMode.FULL,
                                changed_lines={}, engines=default_engines(), jobs=jobs)
        assert result.unscanned == ()
        return sorted((f.path, f.start_line, f.rule_id, f.severity.value)
                      for f in result.findings)

    alone, together = found(1), found(2)
    assert alone == together
    assert {path for path, *_ in alone} >= {"db.py", "run.py", "server.js", "Main.java",
                                            "keys.rb"}
