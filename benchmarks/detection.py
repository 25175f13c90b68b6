"""Detection quality on a labelled corpus: per language and category, the true-positive
rate, the false-positive rate and their difference (Youden's J), plus scan times.

``--corpus`` picks the corpus (default ``holdout``):

* ``holdout`` and ``dev``: ``benchmarks/detection/<split>/``, an independent corpus of
  application code written without looking at the rules (see
  ``benchmarks/detection/README.md``). A ``vuln: CWE-89`` comment (``#`` or ``//``) marks the
  next code line as vulnerable, ``safe: CWE-89`` as a safe look-alike; the CWE is the case's
  category. ``dev`` is for tuning rules; ``holdout`` is only ever measured.
* ``rules``: the rules' own labelled cases, ``checks/semgrep_rules/tests/**``: a
  ``ruleid: <rule>`` comment marks the next code line as vulnerable, ``ok: <rule>`` as a safe
  look-alike; the rule's CWE is the case's category. The rules were written against these,
  so their figures are in-sample.

The benchmark runs the built-in agent with **all** engines (detect-secrets, Bandit, Semgrep)
over the corpus, as a full scan, and counts a case as flagged when a finding of the same CWE
family (``checks.merging.issue_key``) at MEDIUM or above lands on its line (LOW is what the
agent gives a sink-only match that no input reaches). Then it copies the corpus up to
``--files`` files (default 1,000) and times one full scan of them. Prints; asserts nothing.

    .venv/bin/python -m benchmarks.detection                          # holdout + timing
    .venv/bin/python -m benchmarks.detection --corpus dev --files 0 --misses
    .venv/bin/python -m benchmarks.detection --corpus rules --files 0
    .venv/bin/python -m benchmarks.detection --corpus dev --timing-from '*/clinic'   # 4 MB
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortify_github.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402

from checks.agent import ScanMode, scan_workspace  # noqa: E402
from checks.classification import category_for, cwe_id  # noqa: E402
from checks.engines.semgrep import RULES_DIR  # noqa: E402
from checks.findings import Severity  # noqa: E402
from checks.merging import issue_key  # noqa: E402

CORPUS = RULES_DIR / "tests"
SPLITS_DIR = Path(__file__).resolve().parent / "detection"
#: Where each ``--corpus`` lives.
CORPORA = {"rules": CORPUS, "dev": SPLITS_DIR / "dev", "holdout": SPLITS_DIR / "holdout"}
LANGUAGES = {".py": "python", ".js": "javascript", ".ts": "javascript", ".go": "go",
             ".java": "java", ".rb": "ruby"}
_LABEL = re.compile(r"(?:#|//)\s*(ruleid|ok):\s*([\w, -]+?)\s*$")
#: The independent corpus's labels: ``vuln: CWE-89`` or ``safe: CWE-89`` (several: commas).
_CWE_LABEL = re.compile(r"^\s*(?:#|//)\s*(vuln|safe):\s*(CWE-\d+(?:\s*,\s*CWE-\d+)*)\s*$")
#: What looks like such a label; one that is not well formed stops the run (a typo must not
#: silently drop a case).
_CWE_LABEL_LIKE = re.compile(r"^\s*(?:#|//)\s*(vuln|safe)\b", re.IGNORECASE)
#: A case counts as flagged at this severity or above.
FLAGGED_AT = Severity.MEDIUM


@dataclass(frozen=True)
class Case:
    path: str
    line: int
    language: str
    category: str
    cwe: str
    vulnerable: bool


def rule_cwes() -> dict[str, str]:
    cwes = {}
    for rule_file in RULES_DIR.rglob("*.yml"):
        if CORPUS in rule_file.parents:
            continue
        for rule in yaml.safe_load(rule_file.read_text())["rules"]:
            cwes[rule["id"]] = cwe_id(rule["metadata"]["cwe"])
    return cwes


def corpus_files(corpus: Path) -> list[Path]:
    """The corpus's source files, in a stable order (the rules' autofix outputs left out)."""
    return [file for file in sorted(corpus.rglob("*"))
            if file.suffix in LANGUAGES and ".fixed." not in file.name and file.is_file()]


def labelled_cases(corpus: Path = CORPUS) -> list[Case]:
    """Every labelled line of the corpus; one case per (line, category).

    The rules' tests (``ruleid:``/``ok:``) take the CWE from the rule they name; any other
    corpus is labelled with CWEs directly (``vuln:``/``safe:``).
    """
    by_rule = corpus == CORPUS
    label = _LABEL if by_rule else _CWE_LABEL
    cwes = rule_cwes() if by_rule else {}
    cases: dict[tuple[str, int, str], Case] = {}
    for file in corpus_files(corpus):
        language = LANGUAGES[file.suffix]
        lines = file.read_text().splitlines()
        for index, text in enumerate(lines):
            match = label.search(text)
            if not match and not by_rule and _CWE_LABEL_LIKE.search(text):
                raise ValueError(f"{file}:{index + 1}: malformed label {text.strip()!r}; "
                                 "expected e.g. '# vuln: CWE-89' or '// safe: CWE-89'")
            if not match:
                continue
            target = next((number for number in range(index + 1, len(lines))
                           if lines[number].strip() and not label.search(lines[number])),
                          None)
            if target is None:
                continue
            vulnerable = match.group(1) in ("ruleid", "vuln")
            for name in (part.strip() for part in match.group(2).split(",")):
                cwe = cwes.get(name) if by_rule else name
                if not cwe:
                    continue
                path = file.relative_to(corpus).as_posix()
                key = (path, target + 1, issue_key(cwe))
                cases[key] = Case(path, target + 1, language, category_for(cwe), cwe,
                                  vulnerable)
    return list(cases.values())


def flagged(cases: list[Case], corpus: Path = CORPUS) -> tuple[set[tuple[str, int, str]], float]:
    """(path, line, CWE family) of every finding at or above ``FLAGGED_AT``; scan seconds."""
    paths = sorted({case.path for case in cases})
    started = time.monotonic()
    result = scan_workspace(corpus, paths, mode=ScanMode.FULL, changed_lines={}, timeout=900)
    seconds = time.monotonic() - started
    hits = {(finding.path, line, issue_key(finding.cwe)) for finding in result.findings
            if finding.severity.at_least(FLAGGED_AT) and finding.cwe
            for line in finding.lines}
    return hits, seconds


def score(cases: list[Case], hits: set[tuple[str, int, str]]) -> dict[tuple[str, str], dict]:
    table: dict[tuple[str, str], dict] = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0,
                                                              "tn": 0})
    for case in cases:
        hit = (case.path, case.line, issue_key(case.cwe)) in hits
        cell = table[(case.language, case.category)]
        if case.vulnerable:
            cell["tp" if hit else "fn"] += 1
        else:
            cell["fp" if hit else "tn"] += 1
    for cell in table.values():
        positives, negatives = cell["tp"] + cell["fn"], cell["fp"] + cell["tn"]
        cell["tpr"] = cell["tp"] / positives if positives else 1.0
        cell["fpr"] = cell["fp"] / negatives if negatives else 0.0
        cell["youden"] = cell["tpr"] - cell["fpr"]
    return dict(table)


def print_table(table: dict[tuple[str, str], dict]) -> None:
    print("| language | category | vulnerable | safe | TPR | FPR | Youden |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for (language, category), cell in sorted(table.items()):
        print(f"| {language} | {category} | {cell['tp'] + cell['fn']} | "
              f"{cell['fp'] + cell['tn']} | {cell['tpr']:.2f} | {cell['fpr']:.2f} | "
              f"{cell['youden']:.2f} |")
    print()
    print("| language | categories | mean Youden | min Youden | FPR (all safe cases) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    by_language: dict[str, list[dict]] = defaultdict(list)
    for (language, _), cell in table.items():
        by_language[language].append(cell)
    for language, cells in sorted(by_language.items()):
        fp = sum(cell["fp"] for cell in cells)
        negatives = sum(cell["fp"] + cell["tn"] for cell in cells)
        print(f"| {language} | {len(cells)} | "
              f"{statistics.mean(cell['youden'] for cell in cells):.2f} | "
              f"{min(cell['youden'] for cell in cells):.2f} | "
              f"{(fp / negatives if negatives else 0):.1%} |")


def scale_timing(files: int, corpus: Path = CORPUS,
                 pattern: str = "") -> tuple[int, int, float]:
    """Copy the corpus files (those under ``pattern``, a glob relative to ``corpus``, when
    given) round-robin into ``files`` files and time one full scan; ``(files scanned, bytes
    copied, seconds)``. Scan time follows bytes more than files, so both are printed."""
    sources = corpus_files(corpus)
    if pattern:
        roots = [root.resolve() for root in corpus.glob(pattern)]
        sources = [file for file in sources
                   if any(file.resolve().is_relative_to(root) for root in roots)]
    if not sources:
        raise SystemExit(f"no corpus files under {pattern!r}")
    with tempfile.TemporaryDirectory(prefix="fortify-detection-") as tmp:
        root = Path(tmp)
        paths = []
        copied = 0
        for index in range(files):
            source = sources[index % len(sources)]
            relative = f"pkg{index // 100}/{source.stem}_{index}{source.suffix}"
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / relative)
            copied += source.stat().st_size
            paths.append(relative)
        started = time.monotonic()
        result = scan_workspace(root, paths, mode=ScanMode.FULL, changed_lines={}, timeout=900)
        return len(result.files_scanned), copied, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000,
                        help="files in the timing run (0 skips it); default 1000")
    parser.add_argument("--misses", action="store_true",
                        help="also list every missed vulnerable and flagged safe case")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="holdout",
                        help="holdout (default; never tune on it), dev (for tuning rules) or "
                             "rules (the rules' own tests: in-sample)")
    parser.add_argument("--timing-from", default="", metavar="GLOB",
                        help="time only the corpus files under these folders (a glob relative "
                             "to the corpus, e.g. '*/clinic' with --corpus dev)")
    args = parser.parse_args()
    corpus = CORPORA[args.corpus]
    cases = labelled_cases(corpus)
    hits, seconds = flagged(cases, corpus)
    table = score(cases, hits)
    if args.misses:
        for case in sorted(cases, key=lambda case: (case.path, case.line)):
            if case.vulnerable != ((case.path, case.line, issue_key(case.cwe)) in hits):
                kind = "missed" if case.vulnerable else "false positive"
                print(f"{kind}: {case.path}:{case.line} {case.category} ({case.cwe})")
        print()
    vulnerable = sum(case.vulnerable for case in cases)
    files = len({case.path for case in cases})
    print(f"Corpus {args.corpus!r}: {len(cases)} labelled cases ({vulnerable} vulnerable, "
          f"{len(cases) - vulnerable} safe) in {files} files; flagged = a finding of the "
          f"case's CWE at {FLAGGED_AT.value} or above on its line.\n")
    print_table(table)
    print(f"\nCorpus scan (all engines, {files} files): {seconds:.1f} s")
    if args.files > 0:
        scanned, copied, took = scale_timing(args.files, corpus, args.timing_from)
        print(f"Scale: {scanned} files ({copied / 1e6:.1f} MB) scanned with all engines in "
              f"{took:.1f} s "
              f"({os.cpu_count()} CPU(s), load average "
              f"{', '.join(f'{load:.1f}' for load in os.getloadavg())})")


if __name__ == "__main__":
    main()
