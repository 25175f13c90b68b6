"""The npm packages the fidelity tests read: GitHub's OpenAPI description and webhook examples.

Installed on demand into var/npm (git-ignored) with the ordinary npm client.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NPM_DIR = ROOT / "var" / "npm"
PACKAGES = ("@octokit/openapi", "@octokit/webhooks-examples")
OPENAPI_JSON = NPM_DIR / "node_modules/@octokit/openapi/generated/api.github.com.json"
WEBHOOK_EXAMPLES = NPM_DIR / "node_modules/@octokit/webhooks-examples/api.github.com/index.json"


def ensure_installed() -> None:
    """Install the packages if missing; skip (clearly) only when npm itself is absent."""
    if OPENAPI_JSON.exists() and WEBHOOK_EXAMPLES.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot fetch @octokit/openapi and "
                    "@octokit/webhooks-examples for the fidelity tests")
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(NPM_DIR), "--no-save", "--no-audit",
                    "--no-fund", *PACKAGES], check=True, timeout=600)
