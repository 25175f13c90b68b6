"""Internal maintenance console for registrar / library operations (stdlib http.server).

Runs on the admin VLAN behind the staff VPN: backups, disk usage, loan purges and
the grading-formula sandbox used by exam boards.
"""

import ast
import html
import json
import math
import os
import shlex
import sqlite3
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LIBRARY_DB = "/var/lib/library/loans.db"
BACKUP_DIR = "/backups/registrar"
BACKUP_TABLES = {"students", "enrolments", "grades", "payments", "library_loans"}
FORMULAS = {
    "linear": "score",
    "sqrt_curve": "math.sqrt(score) * 10",
    "capped_bonus": "min(100, score + 5)",
}
REINDEX_JOB = "import sqlite3\nconn = sqlite3.connect(db_path)\nconn.execute('REINDEX')\nconn.commit()\nconn.close()\n"


class AdminHandler(BaseHTTPRequestHandler):
    server_version = "RegistrarAdmin/2.3"

    def _send(self, status, body, content_type="text/html; charset=utf-8"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj), "application/json")

    def _body(self):
        length = int(self.headers.get("Content-Length", 0))
        return self.rfile.read(length)

    def _form(self):
        return {k: v[0] for k, v in parse_qs(self._body().decode("utf-8")).items()}

    def do_GET(self):
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/backup":
            self.backup(params.get("table", "students"))
        elif url.path == "/backup/v2":
            self.backup_v2(params.get("table", "students"))
        elif url.path == "/disk-usage":
            self.disk_usage(params.get("term", ""))
        elif url.path == "/disk-usage/v2":
            self.disk_usage_v2(params.get("term", ""))
        elif url.path == "/formula/weights":
            self.parse_weights(params.get("weights", "{}"))
        else:
            task = params.get("task", url.path)
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            # vuln: CWE-79
            self.wfile.write(f"<html><body><p>Unknown maintenance task: {task}</p></body></html>".encode())

    def do_POST(self):
        url = urlparse(self.path)
        if url.path == "/loans/purge":
            self.purge_loans(self._form())
        elif url.path == "/loans/purge/v2":
            self.purge_loans_v2(self._form())
        elif url.path == "/formula/test":
            self.test_formula(self._form())
        elif url.path == "/formula/test/v2":
            self.test_formula_v2(self._form())
        elif url.path == "/formula/compile":
            self.compile_formula(self._form())
        elif url.path == "/scripts/run":
            self.run_script(self._body())
        elif url.path == "/rules/apply":
            self.apply_rule(json.loads(self._body()))
        elif url.path == "/reindex":
            self.reindex()
        else:
            # safe: CWE-79
            self._send(404, "<p>Unknown maintenance task: " + html.escape(url.path) + "</p>")

    def backup(self, table):
        # vuln: CWE-78
        status = os.system("pg_dump -Fc registrar -t " + table + " > " + BACKUP_DIR + "/" + table + ".dump")
        self._json(200, {"table": table, "status": status})

    def backup_v2(self, table):
        if table not in BACKUP_TABLES:
            self._json(400, {"error": "unknown table"})
            return
        out = os.path.join(BACKUP_DIR, f"{table}.dump")
        # safe: CWE-78
        result = subprocess.run(["pg_dump", "-Fc", "registrar", "-t", table, "-f", out], capture_output=True, timeout=600)
        self._json(200, {"table": table, "status": result.returncode})

    def disk_usage(self, term):
        # vuln: CWE-78
        output = subprocess.check_output(f"du -sh /srv/registrar/uploads/{term}", shell=True, text=True)
        self._json(200, {"term": term, "usage": output.split()[0]})

    def disk_usage_v2(self, term):
        # safe: CWE-78
        output = subprocess.check_output("du -sh " + shlex.quote(os.path.join("/srv/registrar/uploads", term)), shell=True, text=True)
        self._json(200, {"term": term, "usage": output.split()[0]})

    def reindex(self):
        # safe: CWE-94
        exec(compile(REINDEX_JOB, "<reindex-job>", "exec"), {"db_path": LIBRARY_DB})
        # safe: CWE-78
        os.system("systemctl restart library-sync.service")
        self._json(200, {"reindexed": True})

    def purge_loans(self, form):
        before = form.get("returned_before", "1970-01-01")
        conn = sqlite3.connect(LIBRARY_DB)
        # vuln: CWE-89
        cur = conn.execute("DELETE FROM library_loans WHERE returned_at < '%s' AND fines_cents = 0" % before)
        conn.commit()
        self._json(200, {"purged": cur.rowcount})

    def purge_loans_v2(self, form):
        before = form.get("returned_before", "1970-01-01")
        conn = sqlite3.connect(LIBRARY_DB)
        # safe: CWE-89
        cur = conn.execute("DELETE FROM library_loans WHERE returned_at < ? AND fines_cents = 0", (before,))
        conn.commit()
        self._json(200, {"purged": cur.rowcount})

    def test_formula(self, form):
        formula = form.get("formula", "score")
        score = float(form.get("score", "0"))
        # vuln: CWE-95
        curved = eval(formula, {"math": math}, {"score": score})
        self._json(200, {"formula": formula, "score": score, "curved": curved})

    def test_formula_v2(self, form):
        name = form.get("formula", "linear")
        if name not in FORMULAS:
            self._json(400, {"error": "unknown formula"})
            return
        score = float(form.get("score", "0"))
        # safe: CWE-95
        curved = eval(FORMULAS[name], {"__builtins__": {}, "math": math, "min": min}, {"score": score})
        self._json(200, {"formula": name, "score": score, "curved": curved})

    def compile_formula(self, form):
        expression = form.get("expression", "score")
        # vuln: CWE-95
        curve = eval("lambda score: " + expression)
        self._json(200, {"preview": [curve(s) for s in (40, 55, 70, 85)]})

    def parse_weights(self, raw):
        # safe: CWE-95
        weights = ast.literal_eval(raw)
        if not isinstance(weights, dict):
            self._json(400, {"error": "weights must be a mapping"})
            return
        self._json(200, {"weights": weights, "total": sum(weights.values())})

    def run_script(self, body):
        namespace = {"db_path": LIBRARY_DB, "sqlite3": sqlite3}
        # vuln: CWE-94
        exec(body.decode("utf-8"), namespace)
        self._json(200, {"result": repr(namespace.get("result"))})

    def apply_rule(self, payload):
        rule_src = payload.get("rule", "")
        namespace = {"grades": payload.get("grades", [])}
        # vuln: CWE-94
        exec(compile(rule_src, "<grading-rule>", "exec"), namespace)
        self._json(200, {"grades": namespace["grades"]})


def main():
    server = ThreadingHTTPServer(("10.20.0.5", 8089), AdminHandler)
    server.serve_forever()


if __name__ == "__main__":
    main()
