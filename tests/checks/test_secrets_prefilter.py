"""detect-secrets through ``checks.engines.secrets_prefilter`` reports exactly what the plain
command line reports: on the whole detection corpus (five languages) and on files made to
sit on the prefilter's edges (a secret on the first or last line, at a line's start or end,
trailing blanks, CRLF, YAML and INI files that detect-secrets transforms, keywords in any
case, and lines its filters drop: allowlist pragmas, indirect references)."""

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
BASE64_BLOB = "xK9/qW2+eR5tY8uI1oP4" + "aS7dF0gH3jL6zX9cV2bN5mQ8wE1rT4y="
HEX_BLOB = "9f86d081884c7d659a2feaa0" + "c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

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
    # Line filters, which now run only where a plugin found something.
    "allowlisted.py": f'aws = "{AWS_KEY}"  # pragma: allowlist secret\n'
                      'password = "Zq8vN2pL5wR9xKd"  # pragma: allowlist secret\n',
    "allowlisted_next_line.js": f"// pragma: allowlist nextline secret\nconst s = '{STRIPE}';\n"
                                f"const t = '{STRIPE}';\n",
    # High-entropy strings the plugins find, on lines only is_indirect_reference drops.
    "indirect.py": f'token = vault.read("{BASE64_BLOB}")\nkey = lookup("{HEX_BLOB}")\n'
                   'secret = request.headers["X-Secret"]\n',
    # The keyword detector, now asked only by files holding one of its keywords.
    "keywords_in_any_case.js": 'const PASSWORD = "Zq8vN2pL5wR9xK";\nconst dbPwd = "Tr0ub4dor3x";\n'
                               'var Api_Key = "k3yV4lu3Xy9Qw";\n'
                               # The long s folds to "s" case-insensitively, as in the tool.
                               'let \u017fecret = "Kq7wE2rT9yU4";\n',
    "keywords_lowercase_only.go": 'package main\n\nif "Zq8vN2pL5wR9xK" == my_password {}\n',
    "keywords_none.py": 'value = "aGVsbG8gd29ybGQgdGhpcyBpcyBhIGxvbmcgYmFzZTY0IHN0cmluZw=="\n',
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
            ("config.yaml", "AWS Access Key"), ("url.env", "Basic Auth Credentials"),
            ("allowlisted_next_line.js", "Stripe Access Key"),
            ("keywords_in_any_case.js", "Secret Keyword"),
            ("keywords_lowercase_only.go", "Secret Keyword"),
            ("keywords_none.py", "Base64 High Entropy String")} <= found
    assert "clean.go" not in prefiltered["results"]
    assert "allowlisted.py" not in prefiltered["results"], "both lines are allowlisted"
    assert "indirect.py" not in prefiltered["results"], "indirect references are not secrets"
    assert {secret["line_number"] for secret in
            prefiltered["results"]["allowlisted_next_line.js"]} == {3}


def test_only_plain_regex_detectors_and_the_keyword_detector_are_skipped():
    assert patterns_of(Base64HighEntropyString()) is None
    assert plugins_for("x = 1\nPassWord = y", [keyword := KeywordDetector()]) == [keyword]
    aws = AWSKeyDetector()
    assert aws in plugins_for(f"x = 1\ny = '{AWS_KEY}'", [aws])
    entropy = Base64HighEntropyString()
    assert plugins_for("x = 1\ny = 2", [aws, keyword, entropy]) == [entropy]


def test_the_engine_runs_the_prefiltered_command_line_unless_given_a_tool():
    assert DetectSecretsEngine().command() == [sys.executable, "-P", str(PREFILTERED_CLI)]
    assert DetectSecretsEngine(executable="/opt/bin/detect-secrets").command() == [
        "/opt/bin/detect-secrets"]
