"""Rule files with YAML anchors and spliced lists reach Semgrep's OCaml command line as plain
rules: the same findings, and a clear error for a file that is not a rule file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from checks.engines import EngineError, SemgrepEngine
from checks.engines.rule_files import flattened, plain_configs

ANCHORED = textwrap.dedent("""\
    x-sources: &sources
      - pattern: request.args.get(...)
      - pattern: request.form.get(...)
    rules:
      - id: demo-eval
        languages: [python]
        severity: ERROR
        message: input reaches eval
        mode: taint
        pattern-sources:
          - *sources
          - pattern: request.get_json()
        pattern-sinks:
          - pattern: eval(...)
      - id: demo-exec
        languages: [python]
        severity: ERROR
        message: input reaches exec
        mode: taint
        pattern-sources: *sources
        pattern-sinks:
          - pattern: exec(...)
    """)

CODE = textwrap.dedent("""\
    from flask import request


    def handler():
        eval(request.args.get("a"))
        eval(request.get_json())
        exec(request.form.get("b"))
        eval("1 + 1")
    """)


def test_lists_spliced_into_lists_are_flattened_at_any_depth():
    assert flattened({"a": [[1, 2], 3, {"b": [[4], [[5]]]}]}) == {"a": [1, 2, 3, {"b": [4, 5]}]}
    assert flattened("text") == "text"


def test_anchored_rules_become_plain_rules_with_every_source_spelled_out(tmp_path: Path):
    (tmp_path / "rules.yml").write_text(ANCHORED)
    (plain,) = plain_configs([str(tmp_path / "rules.yml")])
    text = Path(plain).read_text()
    assert "&" not in text and "*" not in text and "x-sources" not in text
    rules = yaml.safe_load(text)["rules"]
    assert [source["pattern"] for source in rules[0]["pattern-sources"]] == [
        "request.args.get(...)", "request.form.get(...)", "request.get_json()"]
    assert len(rules[1]["pattern-sources"]) == 2


def test_a_rule_file_is_resolved_once_and_again_when_it_changes(tmp_path: Path):
    rules = tmp_path / "rules.yml"
    rules.write_text(ANCHORED)
    first = plain_configs([str(rules)])
    assert plain_configs([str(rules)]) == first
    rules.write_text(ANCHORED.replace("input reaches eval", "input reaches eval()"))
    (changed,) = plain_configs([str(rules)])
    assert [changed] != first and "eval()" in Path(changed).read_text()


def test_semgrep_finds_what_anchored_rules_describe(tmp_path: Path):
    rules = tmp_path / "rules"
    (rules / ".hidden").mkdir(parents=True)
    (rules / "demo.yml").write_text(ANCHORED)
    (rules / ".hidden" / "ignored.yml").write_text("not: a rule file\n")
    workdir = tmp_path / "repo"
    workdir.mkdir()
    (workdir / "app.py").write_text(CODE)
    findings = SemgrepEngine(rules_dir=rules).run(workdir, ["app.py"], 120)
    assert sorted((finding.rule_id, finding.start_line) for finding in findings) == [
        ("demo-eval", 5), ("demo-eval", 6), ("demo-exec", 7)]


@pytest.mark.parametrize("content", [
    "rules:\n  - id: broken\n    pattern: [unclosed\n",  # not YAML
    "- id: a-list-not-a-mapping\n",
    "checks:\n  - id: no-rules-key\n",
])
def test_a_file_that_is_not_a_rule_file_is_an_invalid_configuration(tmp_path: Path, content):
    (tmp_path / "bad.yml").write_text(content)
    with pytest.raises(EngineError) as raised:
        plain_configs([str(tmp_path)])
    assert raised.value.engine == "semgrep"
    assert raised.value.reason == "invalid rule configuration"
