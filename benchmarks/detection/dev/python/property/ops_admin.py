"""Internal ops console: backups, reports, exports and maintenance jobs.

Runs behind the VPN as a small stdlib HTTP server:  python -m rentals.ops_admin
"""
import ast
import json
import operator
import os
import pickle
import shlex
import subprocess
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import boto3

BACKUP_DIR = "/var/backups/rentals"
REPORT_DIR = os.path.realpath("/srv/rentals/reports")
EXPORT_DIR = "/srv/rentals/exports"
DB_NAME = "rentals"
BACKUP_TABLES = {"leases", "payments", "invoices", "tenants", "maintenance_tickets"}

# vuln: CWE-798
AWS_BACKUP_ACCESS_KEY_ID = "AKIAQ3ZT7RENTB4CKUP2"
# vuln: CWE-798
AWS_BACKUP_SECRET_ACCESS_KEY = "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"
# vuln: CWE-798
GITHUB_DEPLOY_TOKEN = "ghp_7Tq2LmR9xW4kZp0VbN3cYd8HsJf6Ge1QaU5o"

REPORT_OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


def s3_client():
    return boto3.client("s3", aws_access_key_id=AWS_BACKUP_ACCESS_KEY_ID, aws_secret_access_key=AWS_BACKUP_SECRET_ACCESS_KEY, region_name="us-east-2")


def s3_client_from_env():
    # safe: CWE-798
    return boto3.client("s3", aws_access_key_id=os.environ["BACKUP_AWS_ACCESS_KEY_ID"], aws_secret_access_key=os.environ["BACKUP_AWS_SECRET_ACCESS_KEY"], region_name="us-east-2")


def git_remote():
    # safe: CWE-798
    token = os.getenv("DEPLOY_GITHUB_TOKEN", "")
    return f"https://x-access-token:{token}@github.com/rentco/rentals-ops.git"


class OpsHandler(BaseHTTPRequestHandler):
    server_version = "rentals-ops/1.4"

    def _send(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj, default=str))

    def _body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length)

    def do_GET(self):
        url = urlparse(self.path)
        qs = parse_qs(url.query)
        routes = {
            "/backup/table": self.backup_table,
            "/backup/table/v2": self.backup_table_v2,
            "/backup/archive": self.archive_day,
            "/backup/archive/v2": self.archive_day_v2,
            "/disk": self.disk_usage,
            "/disk/v2": self.disk_usage_v2,
            "/partner/ping": self.ping_partner,
            "/partner/ping/v2": self.ping_partner_v2,
            "/reports/download": self.download_report,
            "/reports/download/v2": self.download_report_v2,
            "/reports/column": self.computed_column,
            "/reports/column/v2": self.computed_column_v2,
            "/reports/range": self.parse_range,
        }
        handler = routes.get(url.path)
        if handler is None:
            self._send(404, "{}")
            return
        handler(qs)

    def do_POST(self):
        url = urlparse(self.path)
        if url.path == "/jobs/restore":
            self.restore_job(self._body())
        elif url.path == "/jobs/restore/v2":
            self.restore_job_v2(self._body())
        elif url.path == "/hotfix":
            self.run_hotfix(self._body())
        else:
            self._send(404, "{}")

    def backup_table(self, qs):
        table = qs.get("table", ["leases"])[0]
        outfile = os.path.join(BACKUP_DIR, f"{table}-{date.today():%Y%m%d}.sql")
        # vuln: CWE-78
        subprocess.check_output("pg_dump --data-only -t " + table + " " + DB_NAME + " > " + outfile, shell=True)
        self._json(200, {"file": outfile})

    def backup_table_v2(self, qs):
        table = qs.get("table", ["leases"])[0]
        if table not in BACKUP_TABLES:
            self._json(400, {"error": "unknown table"})
            return
        outfile = os.path.join(BACKUP_DIR, f"{table}-{date.today():%Y%m%d}.sql")
        # safe: CWE-78
        subprocess.run(["pg_dump", "--data-only", "-t", table, "-f", outfile, DB_NAME], check=True)
        self._json(200, {"file": outfile})

    def archive_day(self, qs):
        day = qs.get("day", [date.today().isoformat()])[0]
        archive = f"{BACKUP_DIR}/archive-{day}.tar.gz"
        # vuln: CWE-78
        output = os.popen(f"tar -czf {archive} {BACKUP_DIR}/daily/{day}").read()
        self._json(200, {"archive": archive, "output": output})

    def archive_day_v2(self, qs):
        day = qs.get("day", [date.today().isoformat()])[0]
        archive = f"{BACKUP_DIR}/archive-{day}.tar.gz"
        source = f"{BACKUP_DIR}/daily/{day}"
        # safe: CWE-78
        proc = subprocess.run("tar -czf %s %s" % (shlex.quote(archive), shlex.quote(source)), shell=True, capture_output=True, text=True)
        self._json(200, {"archive": archive, "rc": proc.returncode})

    def disk_usage(self, qs):
        path = qs.get("path", [EXPORT_DIR])[0]
        # vuln: CWE-78
        proc = subprocess.Popen(["/bin/sh", "-c", "du -sh " + path], stdout=subprocess.PIPE, text=True)
        out, _ = proc.communicate(timeout=30)
        self._json(200, {"usage": out.strip()})

    def disk_usage_v2(self, qs):
        # safe: CWE-78
        proc = subprocess.run("df -h /var/backups /srv/rentals | tail -n +2", shell=True, capture_output=True, text=True)
        self._json(200, {"usage": proc.stdout.splitlines()})

    def ping_partner(self, qs):
        host = qs.get("host", [""])[0]
        # vuln: CWE-78
        rc = subprocess.call("ping -c 3 -W 2 %s" % host, shell=True)
        self._json(200, {"reachable": rc == 0})

    def ping_partner_v2(self, qs):
        host = qs.get("host", [""])[0]
        if host.startswith("-"):
            self._json(400, {"error": "bad host"})
            return
        # safe: CWE-78
        rc = subprocess.call(["ping", "-c", "3", "-W", "2", "--", host])
        self._json(200, {"reachable": rc == 0})

    def download_report(self, qs):
        name = qs.get("file", [""])[0]
        # vuln: CWE-22
        with open(os.path.join(REPORT_DIR, name), "rb") as fh:
            data = fh.read()
        self._send(200, data, "text/csv")

    def download_report_v2(self, qs):
        name = qs.get("file", [""])[0]
        candidate = os.path.realpath(os.path.join(REPORT_DIR, name))
        if os.path.commonpath([candidate, REPORT_DIR]) != REPORT_DIR or not os.path.isfile(candidate):
            self._send(404, "{}")
            return
        # safe: CWE-22
        with open(candidate, "rb") as fh:
            data = fh.read()
        self._send(200, data, "text/csv")

    def computed_column(self, qs):
        expr = qs.get("expr", ["rent * 12"])[0]
        rows = self.server.report_rows()
        out = []
        for row in rows:
            # vuln: CWE-95
            out.append(eval(expr, {}, dict(row)))
        self._json(200, {"values": out})

    def computed_column_v2(self, qs):
        left = qs.get("left", ["rent"])[0]
        op = qs.get("op", ["*"])[0]
        right = qs.get("right", ["12"])[0]
        fn = REPORT_OPERATORS.get(op)
        if fn is None:
            self._json(400, {"error": "unsupported operator"})
            return
        rows = self.server.report_rows()
        out = []
        for row in rows:
            rhs = row[right] if right in row else float(right)
            # safe: CWE-95
            out.append(fn(row[left], rhs))
        self._json(200, {"values": out})

    def parse_range(self, qs):
        raw = qs.get("range", ["(0, 100)"])[0]
        # safe: CWE-95
        low, high = ast.literal_eval(raw)
        self._json(200, {"low": low, "high": high})

    def restore_job(self, body):
        # vuln: CWE-502
        job = pickle.loads(body)
        self.server.scheduler.add(job)
        self._json(202, {"restored": getattr(job, "name", "job")})

    def restore_job_v2(self, body):
        # safe: CWE-502
        spec = json.loads(body.decode("utf-8"))
        self.server.scheduler.add_from_spec(spec["name"], spec["cron"], spec.get("args", {}))
        self._json(202, {"restored": spec["name"]})

    def run_hotfix(self, body):
        source = body.decode("utf-8")
        namespace = {"db": self.server.db, "log": self.log_message}
        # vuln: CWE-94
        exec(compile(source, "<hotfix>", "exec"), namespace)
        self._json(200, {"result": repr(namespace.get("result"))})


class OpsServer(ThreadingHTTPServer):
    def __init__(self, address, db, scheduler):
        super().__init__(address, OpsHandler)
        self.db = db
        self.scheduler = scheduler

    def report_rows(self):
        cur = self.db.execute("SELECT unit, rent, arrears, deposit FROM rent_roll")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


if __name__ == "__main__":
    import sqlite3

    from .scheduler import Scheduler

    OpsServer(("127.0.0.1", 8088), sqlite3.connect("/srv/rentals/ops.db"), Scheduler()).serve_forever()
