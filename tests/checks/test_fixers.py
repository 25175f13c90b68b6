"""Every fixer: the fixed code still parses and no longer triggers the rule it fixes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from checks.agent import ScanMode, scan_workspace
from checks.engines import BanditEngine
from checks.findings import Finding, Severity
from checks.fixes.fixers import FIXERS, fix_for

#: rule -> (vulnerable source, the exact fixed line).
CASES = {
    "B506": ("import yaml\n\n\ndef load(data):\n    return yaml.load(data, Loader=yaml.Loader)\n",
             "    return yaml.safe_load(data)"),
    "B501": ("import requests\n\n\ndef fetch(url):\n"
             "    return requests.get(url, verify=False, timeout=5)\n",
             "    return requests.get(url, timeout=5)"),
    "B324": ("import hashlib\n\n\ndef etag_for(body):\n    return hashlib.md5(body).hexdigest()\n",
             "    return hashlib.md5(body, usedforsecurity=False).hexdigest()"),
    "B602": ("import subprocess\n\n\ndef archive():\n"
             "    subprocess.run(['tar', 'czf', 'out.tgz', 'data'], shell=True, check=True)\n",
             "    subprocess.run(['tar', 'czf', 'out.tgz', 'data'], check=True)"),
}


def findings_of(workdir: Path, paths: list[str]) -> list[Finding]:
    return list(scan_workspace(workdir, paths, mode=ScanMode.FULL, changed_lines={},
                               engines=[BanditEngine()]).findings)


def test_every_fixer_is_tested():
    assert set(CASES) == set(FIXERS)


def test_fixed_code_parses_and_no_longer_triggers_its_rule(tmp_path):
    for rule, (source, _) in CASES.items():
        (tmp_path / f"{rule}.py").write_text(source)
    before = findings_of(tmp_path, [f"{rule}.py" for rule in CASES])

    for rule, (source, expected) in CASES.items():
        (finding,) = [f for f in before if f.rule_id == rule and f.path == f"{rule}.py"]
        assert finding.auto_fixable and finding.fix == expected
        lines = source.split("\n")
        lines[finding.start_line - 1:finding.end_line] = finding.fix.split("\n")
        fixed = "\n".join(lines)
        ast.parse(fixed)
        (tmp_path / f"{rule}.py").write_text(fixed)

    after = findings_of(tmp_path, [f"{rule}.py" for rule in CASES])
    assert not [f for f in after if f.rule_id == f.path.removesuffix(".py")]


def _finding(rule: str, line: int) -> Finding:
    return Finding(engine="bandit", rule_id=rule, severity=Severity.HIGH, title="t",
                   description="d", recommendation="r", path="x.py", start_line=line,
                   end_line=line, fingerprint="f")


@pytest.mark.parametrize(("rule", "source"), [
    # MD5 with nothing saying it is not for security (a password hash) stays a finding.
    ("B324", "import hashlib\n\n\ndef token(secret):\n    return hashlib.md5(secret)\n"),
    # A command built at run time keeps shell=True: removing it would change its meaning.
    ("B602", "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"),
    # yaml.load with a custom loader and other arguments is not rewritten.
    ("B506", "import yaml\n\n\ndef load(d):\n    return yaml.load(d, yaml.Loader)\n"),
    # verify pointing at a CA bundle is not ``verify=False``.
    ("B501", "import requests\n\n\ndef get(u):\n    return requests.get(u, verify=ca)\n"),
])
def test_no_fix_where_it_would_not_be_safe(rule, source):
    assert fix_for(source, _finding(rule, 5)) is None


def test_a_fix_is_offered_only_if_the_file_still_parses_with_it():
    """Lines that are whole statements are checked alone; lines inside a larger construct
    (here a parenthesised assignment) are checked in the whole file."""
    from checks.fixes.fixers import ParsedSource

    statement = ParsedSource.of("import subprocess\n\ndef run(cmd):\n"
                                "    subprocess.call(cmd, shell=True)\n")
    assert statement.still_parses(4, 4, "    subprocess.call(cmd, shell=False)")
    assert not statement.still_parses(4, 4, "    subprocess.call(cmd, shell=False))")

    nested = ParsedSource.of("result = (\n    run(cmd, shell=True)\n)\n")
    assert nested.still_parses(2, 2, "    run(cmd, shell=False)")
    assert not nested.still_parses(2, 2, "    run(cmd, shell=False) = 1")
    assert [call.lineno for call in nested.calls_within(2, 2)] == [2]
    assert ParsedSource.of("def broken(:\n") is None
