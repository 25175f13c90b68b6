"""What a finding *is*: its CWE, OWASP Top 10 category, confidence and a short fix hint.

Every engine's findings are classified here, so the check run, the scan page, the API and the
SARIF export describe the same issue the same way whichever engine saw it. Bandit tests are
mapped by a table (Bandit's own CWE ids are sometimes generic); our Semgrep rules carry their
CWE in rule metadata; detect-secrets findings are always CWE-798.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Confidence(StrEnum):
    """How sure the engine is that the issue is real (not how bad it would be)."""

    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"

    @property
    def rank(self) -> int:
        return {"HIGH": 2, "MEDIUM": 1, "LOW": 0}[self.value]

    @classmethod
    def parse(cls, value: object, default: Confidence | None = None) -> Confidence:
        """Case-insensitive; unknown values give ``default`` (MEDIUM when not given)."""
        try:
            return cls(str(value).strip().upper())
        except ValueError:
            return default or cls.MEDIUM


OWASP = {
    "A01": "A01:2021-Broken Access Control",
    "A02": "A02:2021-Cryptographic Failures",
    "A03": "A03:2021-Injection",
    "A04": "A04:2021-Insecure Design",
    "A05": "A05:2021-Security Misconfiguration",
    "A07": "A07:2021-Identification and Authentication Failures",
    "A08": "A08:2021-Software and Data Integrity Failures",
    "A09": "A09:2021-Security Logging and Monitoring Failures",
    "A10": "A10:2021-Server-Side Request Forgery",
}


@dataclass(frozen=True)
class Weakness:
    """One CWE as we report it: its short name, OWASP category and a default fix hint."""

    cwe: str
    name: str
    owasp: str
    hint: str


def _weaknesses(*rows: tuple[int, str, str, str]) -> dict[str, Weakness]:
    return {f"CWE-{number}": Weakness(f"CWE-{number}", name, OWASP[owasp], hint)
            for number, name, owasp, hint in rows}


#: The CWEs our engines report. ``name`` doubles as the benchmark's category name.
WEAKNESSES = _weaknesses(
    (89, "SQL injection", "A03", "Use a parameterized query: pass input as bound parameters."),
    (78, "Command injection", "A03",
     "Pass an argument list without a shell; never build a command string from input."),
    (94, "Code injection", "A03", "Never evaluate input as code; map choices to a fixed table."),
    (95, "Code injection", "A03", "Never evaluate input as code; map choices to a fixed table."),
    (90, "LDAP injection", "A03", "Escape input with the LDAP library's filter escaping."),
    (643, "XPath injection", "A03", "Use XPath variables, or escape input for XPath literals."),
    (22, "Path traversal", "A01",
     "Resolve the path and check it stays under the allowed directory, or allow-list names."),
    (601, "Open redirect", "A01", "Redirect only to relative paths or an allow-listed host."),
    (79, "Cross-site scripting", "A03",
     "Let the template engine escape output; never mark input as safe HTML."),
    (611, "XML external entities", "A05",
     "Disable DTDs and external entities (defusedxml in Python)."),
    (502, "Insecure deserialization", "A08",
     "Deserialize untrusted data only with a data-only format such as JSON."),
    (918, "Server-side request forgery", "A10",
     "Fetch only allow-listed hosts; never let input choose the URL's host."),
    (327, "Weak cryptography", "A02",
     "Use SHA-256 or better for hashing and AES-GCM or ChaCha20-Poly1305 for encryption."),
    (328, "Weak cryptography", "A02", "Use SHA-256 or better; for passwords use a slow KDF."),
    (326, "Weak cryptography", "A02", "Use keys of at least 2048 bits (RSA) or 224 (EC)."),
    (330, "Weak randomness", "A02", "Use the secrets module / a CSPRNG for security values."),
    (338, "Weak randomness", "A02", "Use the secrets module / a CSPRNG for security values."),
    (614, "Insecure cookie", "A05", "Set the Secure, HttpOnly and SameSite cookie flags."),
    (1004, "Insecure cookie", "A05", "Set the Secure, HttpOnly and SameSite cookie flags."),
    (501, "Trust boundary violation", "A04",
     "Validate input before storing it in the session or other trusted state."),
    (798, "Hard-coded secret", "A07",
     "Load secrets from the environment or a secret manager; rotate the exposed one."),
    (259, "Hard-coded secret", "A07",
     "Load secrets from the environment or a secret manager; rotate the exposed one."),
    (352, "Cross-site request forgery", "A01", "Keep CSRF protection on for state changes."),
    (347, "Improper signature verification", "A02", "Verify signatures with an explicit key."),
    (295, "Improper certificate validation", "A07", "Keep TLS certificate verification on."),
    (319, "Cleartext transmission", "A02", "Use an encrypted protocol (TLS, SSH, SFTP)."),
    (377, "Insecure temporary file", "A01", "Use tempfile.mkstemp/NamedTemporaryFile."),
    (732, "Insecure permissions", "A01", "Grant the least permissions the file needs."),
    (605, "Bind to all interfaces", "A05", "Bind to a specific interface in production."),
    (703, "Swallowed exception", "A09", "Handle or log the exception instead of ignoring it."),
    (400, "Resource exhaustion", "A05", "Set a timeout on every network call."),
    (20, "Improper input validation", "A03", "Validate input against what is expected."),
    (1333, "Regular expression DoS", "A05", "Avoid nested quantifiers on input-controlled text."),
    (838, "Trojan source", "A03", "Remove bidirectional control characters from source."),
    (494, "Download without integrity check", "A08", "Pin downloads to a revision/checksum."),
    (312, "Cleartext storage of sensitive data", "A02", "Encrypt or drop sensitive values."),
    (209, "Information exposure", "A04", "Show a generic error; log the details privately."),
    (915, "Mass assignment", "A08", "Allow-list the attributes a request may set."),
    (942, "Permissive CORS policy", "A05", "Allow only the origins you trust."),
    (1321, "Prototype pollution", "A08", "Reject __proto__/constructor keys in merged input."),
)

#: Bandit test id -> CWE. Bandit's own ``issue_cwe`` is used only for tests not listed here.
BANDIT_CWE = {
    "B102": "CWE-95", "B103": "CWE-732", "B104": "CWE-605", "B105": "CWE-259",
    "B106": "CWE-259", "B107": "CWE-259", "B108": "CWE-377", "B110": "CWE-703",
    "B112": "CWE-703", "B113": "CWE-400", "B201": "CWE-94", "B202": "CWE-22",
    "B301": "CWE-502", "B302": "CWE-502", "B303": "CWE-328", "B304": "CWE-327",
    "B305": "CWE-327", "B306": "CWE-377", "B307": "CWE-95", "B308": "CWE-79",
    "B310": "CWE-22", "B311": "CWE-330", "B312": "CWE-319", "B313": "CWE-611",
    "B314": "CWE-611", "B315": "CWE-611", "B316": "CWE-611", "B317": "CWE-611",
    "B318": "CWE-611", "B319": "CWE-611", "B320": "CWE-611", "B321": "CWE-319",
    "B323": "CWE-295", "B324": "CWE-328", "B501": "CWE-295", "B502": "CWE-327",
    "B503": "CWE-327", "B504": "CWE-327", "B505": "CWE-326", "B506": "CWE-502",
    "B507": "CWE-295", "B508": "CWE-319", "B509": "CWE-319", "B601": "CWE-78",
    "B602": "CWE-78", "B603": "CWE-78", "B604": "CWE-78", "B605": "CWE-78",
    "B606": "CWE-78", "B607": "CWE-78", "B608": "CWE-89", "B609": "CWE-78",
    "B610": "CWE-89", "B611": "CWE-89", "B612": "CWE-94", "B613": "CWE-838",
    "B614": "CWE-502", "B615": "CWE-494", "B701": "CWE-79", "B702": "CWE-79",
    "B703": "CWE-79", "B704": "CWE-79",
}

#: Bandit tests that judge an injection by the shape of the sink alone (no data flow). Where
#: our taint rules scanned the same file, they decide: a Bandit-only match is kept, but LOW.
#: B313-B320 flag every use of an XML parser by name; the standard library's parsers do not
#: resolve external entities (Python 3.7.1+), and python-xxe reports input reaching lxml or a
#: parser configured to resolve them.
BANDIT_SINK_ONLY = frozenset({"B102", "B307", "B313", "B314", "B315", "B316", "B317", "B318",
                              "B319", "B320", "B602", "B604", "B605", "B608", "B610", "B611"})
#: Bandit tests that flag a weak hash wherever it is called; our ``python-weak-hash`` rule
#: covers the same calls and also judges the use (an ETag or a cache key is not a security
#: use), so on a file it scanned, its silence decides.
BANDIT_DECIDED_BY_USE = frozenset({"B303", "B324"})

_CWE_ID = re.compile(r"CWE-(\d+)", re.IGNORECASE)


def cwe_id(value: object) -> str:
    """``"CWE-89"`` from ``"CWE-89: SQL Injection"``, ``89``, ``["CWE-89: ..."]``; else ``""``."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, int):
        return f"CWE-{value}"
    match = _CWE_ID.search(str(value or ""))
    return f"CWE-{int(match.group(1))}" if match else ""


def weakness(cwe: str) -> Weakness | None:
    return WEAKNESSES.get(cwe)


def owasp_for(cwe: str, declared: object = None) -> str:
    """The rule's own OWASP category if it names one, else the one our CWE table gives."""
    if isinstance(declared, list):
        declared = declared[0] if declared else None
    if isinstance(declared, str) and declared.strip():
        return declared.strip()
    known = weakness(cwe)
    return known.owasp if known else ""


def hint_for(cwe: str) -> str:
    known = weakness(cwe)
    return known.hint if known else ""


def category_for(cwe: str) -> str:
    """The category name findings of ``cwe`` are grouped under (benchmark, scan page)."""
    known = weakness(cwe)
    return known.name if known else (cwe or "Other")


def bandit_cwe(test_id: str, reported: object = None) -> str:
    return BANDIT_CWE.get(test_id) or cwe_id(reported)

