"""detect-secrets through ``checks.engines.secrets_prefilter`` reports exactly what the plain
command line reports: on the whole detection corpus (five languages) and on files made to
sit on the prefilter's edges (a secret on the first or last line, at a line's start or end,
trailing blanks, CRLF, YAML and INI files that detect-secrets transforms)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
from detect_secrets.plugins.keyword import KeywordDetector

from checks.engines.base import find_tool
from checks.engines.secrets import PREFILTERED_CLI, DetectSecretsEngine
from checks.engines.secrets_prefilter import patterns_of, plugins_for

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "detection"

# Built at runtime so this file itself holds no credential-shaped literal.
AWS_KEY = "AKIA" + "J7Q2" + "ZKXP" + "4WMR" + "T8NB"
ARTIFACTORY = "AKC" + "p8jQ2wK9xLm4Rv7TzYb3"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GITHUB = "ghp_" + "R8bXk2LmQ9vT4wZy7NcP1sDf6GhJ3kLa0QeW"
PEM_BEGIN = "-----BEGIN " + "RSA PRIVATE KEY-----"

EDGE_FILES = {
    "first_line.py": f'KEY = "{AWS_KEY}"\nprint("ok")\n',
    "last_line_no_newline.js": f'const a = 1;\nconst stripeKey = "{STRIPE}"',
    "line_start.txt": f"{ARTIFACTORY}\nnext line\n",
    "trailing_blanks.txt": f"token {ARTIFACTORY}   \t\nmore\n",
    "crlf.rb": f'a = 1\r\nGITHUB_TOKEN = "{GITHUB}"\r\nb = 2\r\n',
    "id_rsa": f"{PEM_BEGIN}\nMIIEowIBAAKCAQEAx3n5Wv2b9Pq7LkT4yZ8sRfVnQm1HcJd0oGxA6tUeYiKlB2pN\n",
    "config.yaml": f"aws:\n  key: {AWS_KEY}\n  description: >\n    {STRIPE}\n",
    "settings.ini": f"[db]\npassword = Zq8#vN2!pL5$wR9\nstripe = {STRIPE}\n",
    "url.env": "DATABASE_URL=postgres://app:Sup3rS3cretPass@db.internal:5432/app\n",
    "clean.go": "package main\n\nfunc main() { println(\"hello\") }\n",
}


def scan(command: list[str], root: Path, paths: list[str]) -> dict:
    completed = subprocess.run(
        [*command, "scan", "--all-files", "--no-verify", *paths],
        cwd=root, capture_output=True, text=True, check=True, timeout=300)
    return json.loads(completed.stdout)


def both(root: Path, paths: list[str]) -> tuple[dict, dict]:
    plain = scan([find_tool("detect-secrets", "detect-secrets")], root, paths)
    prefiltered = scan(DetectSecretsEngine().command(), root, paths)
    return plain, prefiltered


def test_the_detection_corpus_gives_the_plain_command_lines_findings():
    paths = sorted(path.relative_to(CORPUS).as_posix()
                   for path in CORPUS.rglob("*") if path.is_file())
    plain, prefiltered = both(CORPUS, paths)
    assert sum(map(len, plain["results"].values())) > 100  # the corpus has secrets to find
    assert prefiltered["results"] == plain["results"]
    assert prefiltered["plugins_used"] == plain["plugins_used"]
    assert prefiltered["filters_used"] == plain["filters_used"]


def test_secrets_on_the_prefilters_edges_are_still_found(tmp_path):
    for name, text in EDGE_FILES.items():
        (tmp_path / name).write_bytes(text.encode())
    plain, prefiltered = both(tmp_path, sorted(EDGE_FILES))
    assert prefiltered["results"] == plain["results"]
    found = {(name, secret["type"]) for name, secrets in prefiltered["results"].items()
             for secret in secrets}
    assert {("first_line.py", "AWS Access Key"), ("last_line_no_newline.js", "Stripe Access Key"),
            ("line_start.txt", "Artifactory Credentials"),
            ("trailing_blanks.txt", "Artifactory Credentials"),
            ("crlf.rb", "GitHub Token"), ("id_rsa", "Private Key"),
            ("config.yaml", "AWS Access Key"), ("url.env", "Basic Auth Credentials")} <= found
    assert "clean.go" not in prefiltered["results"]


def test_only_plain_regex_detectors_are_skipped():
    assert patterns_of(KeywordDetector()) is None
    assert patterns_of(Base64HighEntropyString()) is None
    aws = AWSKeyDetector()
    assert aws in plugins_for(f"x = 1\ny = '{AWS_KEY}'", [aws])
    kept = plugins_for("x = 1\ny = 2", [aws, keyword := KeywordDetector()])
    assert kept == [keyword]


def test_the_engine_runs_the_prefiltered_command_line_unless_given_a_tool():
    assert DetectSecretsEngine().command() == [sys.executable, "-P", str(PREFILTERED_CLI)]
    assert DetectSecretsEngine(executable="/opt/bin/detect-secrets").command() == [
        "/opt/bin/detect-secrets"]
