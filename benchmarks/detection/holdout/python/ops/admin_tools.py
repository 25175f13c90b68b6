"""Internal ops console (runs on the admin VLAN behind the VPN).

A small stdlib HTTP server used by the ops team for backups, report exports,
venue connectivity checks and maintenance jobs.
"""
import ast
import importlib
import json
import marshal
import os
import shlex
import subprocess
import sys
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

BACKUP_DIR = "/var/backups/tixhub"
REPORT_DIR = "/var/reports/tixhub"
DB_NAME = os.environ.get("TIXHUB_DB", "tixhub")
MAINTENANCE_JOBS = {"purge_expired_holds", "reindex_search", "rebuild_seat_cache", "close_stale_carts"}
ALLOWED_TABLES = {"orders", "tickets", "events", "payouts", "refunds"}
REPORT_METRICS = {
    "gross": lambda r: r["gross_cents"] / 100,
    "net": lambda r: (r["gross_cents"] - r["fees_cents"]) / 100,
    "refund_rate": lambda r: r["refunds"] / max(r["orders"], 1),
}


class OpsJobs:
    """Shell-level helpers wrapped by the HTTP handler."""

    def dump_table(self, table):
        stamp = datetime.utcnow().strftime("%Y%m%d%H%M")
        # vuln: CWE-78
        return subprocess.run(f"pg_dump --data-only --table={table} {DB_NAME} | gzip > {BACKUP_DIR}/{table}-{stamp}.sql.gz", shell=True, check=False).returncode

    def dump_table_safe(self, table):
        if table not in ALLOWED_TABLES:
            raise ValueError("unknown table")
        stamp = datetime.utcnow().strftime("%Y%m%d%H%M")
        out_path = os.path.join(BACKUP_DIR, f"{table}-{stamp}.sql")
        with open(out_path, "wb") as fh:
            # safe: CWE-78
            return subprocess.run(["pg_dump", "--data-only", f"--table={table}", DB_NAME], stdout=fh, check=False).returncode

    def archive_report(self, report_name):
        cmd = "cd " + REPORT_DIR + " && tar czf /tmp/" + report_name + ".tgz " + report_name
        # vuln: CWE-78
        return os.system(cmd)

    def archive_report_safe(self, report_name):
        cmd = "cd {} && tar czf /tmp/{}.tgz {}".format(REPORT_DIR, shlex.quote(report_name), shlex.quote(report_name))
        # safe: CWE-78
        return os.system(cmd)

    def venue_ping(self, host):
        # vuln: CWE-78
        return subprocess.check_output("ping -c 3 -W 2 " + host, shell=True, stderr=subprocess.STDOUT, timeout=20).decode()

    def venue_ping_safe(self, host):
        # safe: CWE-78
        return subprocess.check_output(["ping", "-c", "3", "-W", "2", host], stderr=subprocess.STDOUT, timeout=20).decode()

    def tail_log(self, service, lines):
        # vuln: CWE-78
        with os.popen("journalctl -u %s -n %s --no-pager" % (service, lines)) as fh:
            return fh.read()

    def tail_log_safe(self, service, lines):
        # safe: CWE-78
        proc = subprocess.Popen(["journalctl", "-u", service, "-n", str(int(lines)), "--no-pager"], stdout=subprocess.PIPE, text=True)
        return proc.communicate(timeout=15)[0]


class OpsHandler(BaseHTTPRequestHandler):
    server_version = "tixhub-ops/1.4"
    jobs = OpsJobs()

    def _send(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json_body(self):
        length = int(self.headers.get("Content-Length", 0))
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self):
        url = urlparse(self.path)
        qs = parse_qs(url.query)
        param = lambda k, d="": qs.get(k, [d])[0]

        if url.path == "/backups/download":
            name = param("file")
            # vuln: CWE-22
            with open(os.path.join(BACKUP_DIR, name), "rb") as fh:
                return self._send(200, fh.read(), "application/gzip")

        if url.path == "/backups/download/v2":
            name = os.path.basename(param("file"))
            # safe: CWE-22
            with open(os.path.join(BACKUP_DIR, name), "rb") as fh:
                return self._send(200, fh.read(), "application/gzip")

        if url.path == "/reports/view":
            report = param("name")
            path = REPORT_DIR + "/" + report + ".csv"
            # vuln: CWE-22
            with open(path, encoding="utf-8") as fh:
                return self._send(200, fh.read().encode(), "text/csv")

        if url.path == "/reports/view/v2":
            report = param("name")
            available = {f[:-4] for f in os.listdir(REPORT_DIR) if f.endswith(".csv")}
            if report not in available:
                return self._send(404, {"error": "no such report"})
            # safe: CWE-22
            with open(os.path.join(REPORT_DIR, report + ".csv"), encoding="utf-8") as fh:
                return self._send(200, fh.read().encode(), "text/csv")

        if url.path == "/venues/ping":
            return self._send(200, {"output": self.jobs.venue_ping(param("host"))})
        if url.path == "/venues/ping/v2":
            return self._send(200, {"output": self.jobs.venue_ping_safe(param("host"))})
        if url.path == "/logs":
            return self._send(200, {"log": self.jobs.tail_log(param("service", "tixhub-web"), param("n", "200"))})
        if url.path == "/logs/v2":
            return self._send(200, {"log": self.jobs.tail_log_safe(param("service", "tixhub-web"), param("n", "200"))})

        if url.path == "/reports/metric":
            expr = param("formula", "gross_cents / 100")
            row = self._load_daily_totals(param("day"))
            # vuln: CWE-95
            value = eval(expr, {"__builtins__": None}, dict(row))
            return self._send(200, {"value": value})

        if url.path == "/reports/metric/v2":
            metric = REPORT_METRICS.get(param("metric", "gross"))
            if metric is None:
                return self._send(400, {"error": "unknown metric"})
            row = self._load_daily_totals(param("day"))
            # safe: CWE-95
            value = metric(row)
            return self._send(200, {"value": value})

        self._send(404, {"error": "not found"})

    def do_POST(self):
        url = urlparse(self.path)
        body = self._json_body()

        if url.path == "/backups/run":
            return self._send(200, {"rc": self.jobs.dump_table(body.get("table", "orders"))})
        if url.path == "/backups/run/v2":
            return self._send(200, {"rc": self.jobs.dump_table_safe(body.get("table", "orders"))})
        if url.path == "/reports/archive":
            return self._send(200, {"rc": self.jobs.archive_report(body["report"])})
        if url.path == "/reports/archive/v2":
            return self._send(200, {"rc": self.jobs.archive_report_safe(body["report"])})

        if url.path == "/maintenance/run":
            script = body.get("script", "")
            scope = {"db_name": DB_NAME, "log": sys.stderr}
            # vuln: CWE-94
            exec(script, scope)
            return self._send(200, {"ok": True, "result": repr(scope.get("result"))})

        if url.path == "/maintenance/run/v2":
            job_name = body.get("job", "")
            if job_name not in MAINTENANCE_JOBS:
                return self._send(400, {"error": "unknown job"})
            # safe: CWE-94
            job = importlib.import_module("tixhub.maintenance." + job_name)
            return self._send(200, {"ok": True, "result": repr(job.run(db_name=DB_NAME))})

        if url.path == "/maintenance/settings":
            raw = body.get("overrides", "{}")
            # vuln: CWE-95
            overrides = eval(raw)
            self._apply_overrides(overrides)
            return self._send(200, {"applied": sorted(overrides)})

        if url.path == "/maintenance/settings/v2":
            raw = body.get("overrides", "{}")
            # safe: CWE-95
            overrides = ast.literal_eval(raw)
            if not isinstance(overrides, dict):
                return self._send(400, {"error": "expected a dict"})
            self._apply_overrides(overrides)
            return self._send(200, {"applied": sorted(overrides)})

        if url.path == "/maintenance/job-state":
            length = int(self.headers.get("Content-Length", 0))
            # vuln: CWE-502
            state = marshal.loads(self.rfile.read(length))
            return self._send(200, {"resumed": bool(state)})

        self._send(404, {"error": "not found"})

    def do_PUT(self):
        url = urlparse(self.path)
        if url.path == "/maintenance/job-state":
            length = int(self.headers.get("Content-Length", 0))
            # safe: CWE-502
            state = json.loads(self.rfile.read(length))
            return self._send(200, {"resumed": bool(state)})
        self._send(404, {"error": "not found"})

    def _load_daily_totals(self, day):
        path = os.path.join(REPORT_DIR, "daily", datetime.strptime(day, "%Y-%m-%d").strftime("%Y%m%d") + ".json")
        with open(path) as fh:
            return json.load(fh)

    def _apply_overrides(self, overrides):
        with open("/etc/tixhub/runtime-overrides.json", "w") as fh:
            json.dump(overrides, fh)


def main():
    ThreadingHTTPServer(("10.20.0.5", 8088), OpsHandler).serve_forever()


if __name__ == "__main__":
    main()
