"""The engines run the real tools on real files in a temp workspace.

Each tool starts once per module (semgrep takes seconds to start) and the tests read the
shared findings.
"""

from __future__ import annotations

import stat
import textwrap
from pathlib import Path

import pytest

from checks.engines import (
    BanditEngine,
    DetectSecretsEngine,
    Engine,
    EngineError,
    EngineTimeout,
    SemgrepEngine,
    ToolExitError,
    default_engines,
)
from checks.engines.bandit import bandit_severity
from checks.engines.base import repo_path
from checks.engines.secrets import MASK, mask_secret, rule_slug, secret_severity
from checks.engines.semgrep import line_replacement, semgrep_severity
from checks.findings import RawFinding, Severity

# Built at runtime so this file itself holds no credential-shaped literal.
AWS_KEY = "AKIA" + "J7Q2" + "ZKXP" + "4WMR" + "T8NB"
PEM_BEGIN = "-----BEGIN " + "RSA PRIVATE KEY-----"
PEM_END = "-----END " + "RSA PRIVATE KEY-----"
PEM_BODY = "MIIEowIBAAKCAQEAx3n5Wv2b9Pq7LkT4yZ8sRfVnQm1HcJd0oGxA6tUeYiKlB2pN"

SAMPLES = {
    "app/run.py": """\
        import subprocess


        def run(cmd, cursor, user_id):
            subprocess.call(cmd, shell=True)
            cursor.execute("SELECT * FROM users WHERE id = '%s'" % user_id)
        """,
    "app/clean.py": """\
        def add(a: int, b: int) -> int:
            return a + b
        """,
    "config/settings.py": f"""\
        DEBUG = False
        AWS_ACCESS_KEY_ID = "{AWS_KEY}"
        """,
    "deploy/id_rsa": f"{PEM_BEGIN}\n{PEM_BODY}\n{PEM_END}\n",
    "web/handler.js": """\
        function handle(req, res) {
          const result = eval(req.query.code);
          res.send(String(result));
        }
        module.exports = handle;
        """,
    "web/clean.js": """\
        function handle(req, res) {
          res.send(JSON.stringify({ ok: true }));
        }
        module.exports = handle;
        """,
    "cmd/main.go": """\
        package main

        import (
        \t"crypto/tls"
        \t"os/exec"
        )

        func run(input string) *tls.Config {
        \texec.Command("sh", "-c", input).Run()
        \treturn &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true} // é
        }
        """,
    "src/Main.java": """\
        import java.security.MessageDigest;

        public class Main {
            void run(String input) throws Exception {
                Runtime.getRuntime().exec("ping -c 1 " + input);
                MessageDigest md = MessageDigest.getInstance("MD5");
            }
        }
        """,
    "app/models/user.rb": """\
        class User
          def self.import(body, dir)
            data = YAML.load(body)
            system("tar xf #{dir}/import.tar")
            data
          end
        end
        """,
}


def write_samples(root: Path, samples: dict[str, str]) -> None:
    for path, content in samples.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(content), encoding="utf-8")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    write_samples(root, SAMPLES)
    return root


def run_engine(engine: Engine, workspace: Path) -> list[RawFinding]:
    paths = [path for path in sorted(SAMPLES) if engine.applies_to(path)]
    return engine.run(workspace, paths, 120)


@pytest.fixture(scope="module")
def bandit_findings(workspace: Path) -> list[RawFinding]:
    return run_engine(BanditEngine(), workspace)


@pytest.fixture(scope="module")
def secret_findings(workspace: Path) -> list[RawFinding]:
    return run_engine(DetectSecretsEngine(), workspace)


@pytest.fixture(scope="module")
def semgrep_findings(workspace: Path) -> list[RawFinding]:
    return run_engine(SemgrepEngine(), workspace)


def only(findings: list[RawFinding], path: str, rule_id: str) -> RawFinding:
    matches = [f for f in findings if f.path == path and f.rule_id == rule_id]
    assert len(matches) == 1, [(f.path, f.rule_id) for f in findings]
    return matches[0]


# --- Bandit -------------------------------------------------------------------------------


def test_bandit_finds_shell_true_and_sql_formatting(bandit_findings: list[RawFinding]) -> None:
    shell = only(bandit_findings, "app/run.py", "B602")
    assert (shell.start_line, shell.end_line) == (5, 5)
    assert shell.severity is Severity.HIGH
    assert shell.engine == "bandit"
    assert "shell=True" in shell.title
    assert shell.snippet.strip() == "subprocess.call(cmd, shell=True)"
    assert "bandit.readthedocs.io" in shell.recommendation
    assert "CWE-78" in shell.description

    sql = only(bandit_findings, "app/run.py", "B608")
    assert sql.start_line == 6
    assert sql.severity is Severity.MEDIUM  # Bandit: MEDIUM severity, MEDIUM confidence


def test_bandit_reports_nothing_for_clean_code(bandit_findings: list[RawFinding]) -> None:
    assert [f for f in bandit_findings if f.path != "app/run.py"] == []


@pytest.mark.parametrize(
    ("severity", "confidence", "expected"),
    [
        ("HIGH", "HIGH", Severity.HIGH),
        ("HIGH", "MEDIUM", Severity.HIGH),
        ("HIGH", "LOW", Severity.MEDIUM),
        ("MEDIUM", "HIGH", Severity.MEDIUM),
        ("MEDIUM", "LOW", Severity.LOW),
        ("LOW", "HIGH", Severity.LOW),
        ("LOW", "LOW", Severity.INFO),
        ("UNDEFINED", "UNDEFINED", Severity.MEDIUM),
    ],
)
def test_bandit_severity_mapping(severity: str, confidence: str, expected: Severity) -> None:
    assert bandit_severity(severity, confidence) is expected


# --- detect-secrets -----------------------------------------------------------------------


def test_secrets_finds_aws_key_without_leaking_it(secret_findings: list[RawFinding]) -> None:
    aws = only(secret_findings, "config/settings.py", "aws-access-key")
    assert aws.title == "Hard-coded secret: AWS Access Key"
    assert aws.severity is Severity.CRITICAL
    assert (aws.start_line, aws.end_line) == (2, 2)
    assert aws.snippet == f'AWS_ACCESS_KEY_ID = "{MASK}"'
    for text in (aws.title, aws.description, aws.recommendation, aws.snippet):
        assert AWS_KEY not in text
        assert AWS_KEY[4:] not in text


def test_secrets_finds_private_key_block(secret_findings: list[RawFinding]) -> None:
    key = only(secret_findings, "deploy/id_rsa", "private-key")
    assert key.severity is Severity.CRITICAL
    assert key.start_line == 1
    assert key.title == "Hard-coded secret: Private Key"
    assert PEM_BODY not in key.snippet + key.description


def test_secrets_reports_nothing_for_clean_files(secret_findings: list[RawFinding]) -> None:
    assert {f.path for f in secret_findings} == {"config/settings.py", "deploy/id_rsa"}


def test_mask_secret_falls_back_to_masking_long_tokens() -> None:
    line = 'token = "Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA"'
    assert mask_secret(line, "0" * 40) == f'token = "{MASK}"'
    assert mask_secret("short = 'abc'", "0" * 40) == "short = 'abc'"


def test_secret_type_mapping() -> None:
    assert rule_slug("Public IP (ipv4)") == "public-ip-ipv4"
    assert secret_severity("GitHub Token") is Severity.HIGH
    assert secret_severity("Secret Keyword") is Severity.MEDIUM
    assert secret_severity("Public IP (ipv4)") is Severity.LOW
    assert secret_severity("Azure Storage Account access key") is Severity.CRITICAL


def test_secrets_engine_skips_binary_files() -> None:
    engine = DetectSecretsEngine()
    assert engine.applies_to("deploy/id_rsa")
    assert engine.applies_to("config/app.env")
    assert not engine.applies_to("static/logo.PNG")


# --- Semgrep ------------------------------------------------------------------------------


def test_semgrep_finds_js_eval(semgrep_findings: list[RawFinding]) -> None:
    finding = only(semgrep_findings, "web/handler.js", "js-eval-dynamic-input")
    assert (finding.start_line, finding.end_line) == (2, 2)
    assert finding.severity is Severity.CRITICAL
    assert finding.title == "Code evaluated from dynamic input"
    assert "CWE-95" in finding.description
    assert finding.recommendation.startswith("Do not evaluate strings")
    assert not finding.auto_fixable


def test_semgrep_finds_go_shell_injection_and_fixes_tls(
    semgrep_findings: list[RawFinding],
) -> None:
    command = only(semgrep_findings, "cmd/main.go", "go-exec-shell-command-injection")
    assert command.start_line == 9
    assert command.severity is Severity.CRITICAL

    tls = only(semgrep_findings, "cmd/main.go", "go-tls-insecure-skip-verify")
    assert tls.start_line == 10
    assert tls.auto_fixable
    # The fix replaces the whole line, keeping what surrounds the match (multi-byte too).
    assert tls.fix == (
        "\treturn &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: false} // é"
    )


def test_semgrep_finds_java_and_ruby_issues(semgrep_findings: list[RawFinding]) -> None:
    exec_ = only(semgrep_findings, "src/Main.java", "java-runtime-exec-concatenation")
    assert exec_.start_line == 5
    digest = only(semgrep_findings, "src/Main.java", "java-weak-message-digest")
    assert digest.severity is Severity.MEDIUM
    assert digest.fix == '        MessageDigest md = MessageDigest.getInstance("SHA-256");'

    yaml_load = only(semgrep_findings, "app/models/user.rb", "ruby-yaml-unsafe-load")
    assert yaml_load.start_line == 3
    assert yaml_load.fix == "    data = YAML.safe_load(body)"
    system = only(semgrep_findings, "app/models/user.rb", "ruby-command-injection")
    assert system.start_line == 4


def test_semgrep_reports_nothing_for_clean_files(semgrep_findings: list[RawFinding]) -> None:
    paths = {f.path for f in semgrep_findings}
    assert "web/clean.js" not in paths
    assert "app/clean.py" not in paths


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"severity": "ERROR", "metadata": {"fortify_severity": "critical"}}, Severity.CRITICAL),
        ({"severity": "ERROR", "metadata": {}}, Severity.HIGH),
        ({"severity": "WARNING"}, Severity.MEDIUM),
        ({"severity": "INFO", "metadata": {"fortify_severity": "bogus"}}, Severity.LOW),
    ],
)
def test_semgrep_severity(extra: dict[str, object], expected: Severity) -> None:
    assert semgrep_severity(extra) is expected


def test_line_replacement_keeps_text_around_the_match() -> None:
    data = "a = 1\nx = f(ü, bad(y)) # ü\nz\n".encode()
    start = data.index(b"bad(y)")
    assert line_replacement(data, start, start + len(b"bad(y)"), "good(y)") == (
        "x = f(ü, good(y)) # ü"
    )


# --- Shared plumbing and failures ---------------------------------------------------------


def test_default_engines_follow_the_protocol() -> None:
    engines = default_engines()
    assert {engine.name for engine in engines} == {"bandit", "detect-secrets", "semgrep"}
    for engine in engines:
        assert isinstance(engine, Engine)
        assert engine.version()[0].isdigit()


def test_repo_path_normalises_and_rejects_outside(tmp_path: Path) -> None:
    assert repo_path(tmp_path, "./a/b.py") == "a/b.py"
    assert repo_path(tmp_path, str(tmp_path / "a" / "b.py")) == "a/b.py"
    assert repo_path(tmp_path, "../etc/passwd") is None
    assert repo_path(tmp_path, "/etc/passwd") is None


def fake_tool(tmp_path: Path, script: str) -> str:
    tool = tmp_path / "fake-tool"
    tool.write_text("#!/bin/sh\n" + script + "\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return str(tool)


def test_malformed_json_is_an_engine_error(workspace: Path, tmp_path: Path) -> None:
    engine = BanditEngine(executable=fake_tool(tmp_path, "echo 'this is not json'"))
    with pytest.raises(EngineError) as raised:
        engine.run(workspace, ["app/run.py"], 30)
    assert raised.value.engine == "bandit"
    assert raised.value.reason == "malformed JSON output"


def test_unexpected_exit_code_is_an_engine_error_without_stderr(
    workspace: Path, tmp_path: Path
) -> None:
    script = "echo 'Traceback: password=hunter2 in app/run.py' >&2; exit 3"
    engine = DetectSecretsEngine(executable=fake_tool(tmp_path, script))
    with pytest.raises(ToolExitError) as raised:
        engine.run(workspace, ["app/run.py"], 30)
    assert raised.value.status == 3
    assert raised.value.reason == "exited with status 3"
    assert "hunter2" not in str(raised.value)


def test_missing_tool_is_an_engine_error(workspace: Path, tmp_path: Path) -> None:
    engine = BanditEngine(executable=str(tmp_path / "no-such-bandit"))
    with pytest.raises(EngineError, match="could not start the tool"):
        engine.run(workspace, ["app/run.py"], 30)


def test_semgrep_without_rules_dir_is_an_engine_error(workspace: Path, tmp_path: Path) -> None:
    engine = SemgrepEngine(rules_dir=tmp_path / "missing")
    with pytest.raises(EngineError) as raised:
        engine.run(workspace, ["web/handler.js"], 60)
    assert raised.value.reason == "rules directory not found"


def test_semgrep_with_invalid_rules_is_an_engine_error(workspace: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "broken.yml").write_text("rules:\n  - id: broken\n    pattern: eval(\n")
    with pytest.raises(EngineError) as raised:
        SemgrepEngine(rules_dir=rules).run(workspace, ["web/handler.js"], 120)
    assert raised.value.reason == "invalid rule configuration"


def test_timeout_kills_the_tool(workspace: Path) -> None:
    # Semgrep cannot even start in 50 ms, so this always times out.
    with pytest.raises(EngineTimeout) as raised:
        SemgrepEngine().run(workspace, ["web/handler.js", "cmd/main.go"], 0.05)
    assert raised.value.engine == "semgrep"
    assert raised.value.reason.startswith("timed out after")


def test_engines_refuse_an_exhausted_budget(workspace: Path) -> None:
    with pytest.raises(EngineTimeout):
        BanditEngine().run(workspace, ["app/run.py"], 0)


def test_paths_go_to_a_tool_in_batches_bounded_by_argument_bytes():
    """A large change is one tool run (its rules load once); a huge one is split below
    ARG_MAX, every path in order, and a path longer than the bound still gets its own run."""
    from checks.engines.base import ARGV_PATH_BYTES, chunks

    thousand = [f"pkg{index // 100}/module_{index}.py" for index in range(1000)]
    assert list(chunks(thousand)) == [thousand]

    many = [f"{'d' * 200}/file_{index}.py" for index in range(5000)]
    batches = list(chunks(many))
    assert len(batches) > 1
    assert [path for batch in batches for path in batch] == many
    assert all(sum(len(path) + 3 for path in batch) <= ARGV_PATH_BYTES for batch in batches)

    assert list(chunks(["x" * 50, "y"], max_bytes=10)) == [["x" * 50], ["y"]]


def test_engines_never_honour_their_own_markers(tmp_path: Path) -> None:
    """Markers are judged by the team's policy (checks.suppressions hides them from the
    engines); should one ever reach an engine, the engine still reports the finding."""
    (tmp_path / "marked.py").write_text(
        "import subprocess\n\n\ndef run(cmd):\n"
        "    subprocess.call(cmd, shell=True)  # nosec nosemgrep\n")
    bandit = BanditEngine().run(tmp_path, ["marked.py"], 120)
    semgrep = SemgrepEngine().run(tmp_path, ["marked.py"], 120)
    assert any(finding.start_line == 5 for finding in bandit)
    assert any(finding.start_line == 5 for finding in semgrep)


def test_semgrep_runs_with_its_gc_tuned_and_without_metrics(
        workspace: Path, tmp_path: Path) -> None:
    seen = tmp_path / "env"
    script = (f'printf "%s %s %s" "$OCAMLRUNPARAM" "$SEMGREP_SEND_METRICS" '
              f'"$SEMGREP_ENABLE_VERSION_CHECK" > {seen}; echo \'{{"results": [], "errors": []}}\'')
    engine = SemgrepEngine(executable=fake_tool(tmp_path, script))
    assert engine.run(workspace, ["app/run.py"], 30) == []
    assert seen.read_text() == "s=1M,o=200 off 0"
