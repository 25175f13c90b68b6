"""Semgrep loads only the rule files of the languages a scan has files in."""

from __future__ import annotations

from pathlib import Path

from checks.engines.semgrep import RULES_DIR, SemgrepEngine


def test_only_the_languages_present_are_loaded():
    configs = SemgrepEngine().configs_for(["app/db.py", "lib/util.py"])
    assert {Path(config).relative_to(RULES_DIR).as_posix() for config in configs} == {
        "python.yml", "taint/python.yml"}


def test_a_mixed_pull_request_gets_each_of_its_languages():
    configs = SemgrepEngine().configs_for(["web/app.tsx", "cmd/main.go"])
    assert {Path(config).name for config in configs} == {"javascript.yml", "go.yml"}
    assert len(configs) == 4


def test_a_rules_directory_not_laid_out_by_language_is_loaded_whole(tmp_path):
    (tmp_path / "company-rules.yml").write_text("rules: []\n")
    assert SemgrepEngine(rules_dir=tmp_path).configs_for(["a.py"]) == [str(tmp_path)]
