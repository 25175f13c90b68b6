"""Maintenance endpoints for the logistics back office (Flask)."""

import os
import re
import shlex
import subprocess
from pathlib import Path

from flask import Blueprint, abort, jsonify, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

maintenance = Blueprint("maintenance", __name__, url_prefix="/maintenance")
MANIFEST_DIR = "/data/manifests"
LABEL_DIR = Path("/data/labels")
BACKUP_DIR = "/data/backups"
TABLE_NAME = re.compile(r"^[a-z_]{1,40}$")


@maintenance.post("/backup")
def backup_table():
    table = request.json["table"]
    # vuln: CWE-78
    subprocess.Popen("pg_dump -t " + table + " logistics > " + BACKUP_DIR + "/" + table + ".sql", shell=True)
    return jsonify(started=True)


@maintenance.get("/tail")
def tail_log():
    lines = request.args.get("lines", "50")
    service = request.args.get("service", "api")
    # vuln: CWE-78
    output = subprocess.getoutput(f"journalctl -u {service} -n {lines} --no-pager")
    return output, 200, {"Content-Type": "text/plain"}


def convert_label(name, fmt):
    cmd = "lp -d labelprinter -o media=%s %s/%s" % (fmt, LABEL_DIR, name)
    # vuln: CWE-78
    return subprocess.call(cmd, shell=True)


@maintenance.post("/labels/<name>/print")
def print_label(name):
    return jsonify(status=convert_label(name, request.form.get("media", "A6")))


@maintenance.post("/sync")
def sync_depot():
    depot = request.headers.get("X-Depot", "")
    # vuln: CWE-78
    os.system("rsync -az /data/outbox/ depot-" + depot + ":/data/inbox/")
    return jsonify(ok=True)


@maintenance.post("/backup/safe")
def backup_table_checked():
    table = request.json["table"]
    if not TABLE_NAME.match(table):
        abort(400)
    with open(os.path.join(BACKUP_DIR, table + ".sql"), "wb") as out:
        # safe: CWE-78
        subprocess.Popen(["pg_dump", "-t", table, "logistics"], stdout=out)
    return jsonify(started=True)


@maintenance.get("/tail/safe")
def tail_log_quoted():
    lines = int(request.args.get("lines", "50"))
    service = shlex.quote(request.args.get("service", "api"))
    # safe: CWE-78
    output = subprocess.getoutput(f"journalctl -u {service} -n {lines} --no-pager")
    return output, 200, {"Content-Type": "text/plain"}


@maintenance.post("/labels/<name>/print/safe")
def print_label_args(name):
    path = LABEL_DIR / secure_filename(name)
    # safe: CWE-78
    status = subprocess.call(["lp", "-d", "labelprinter", "-o", "media=A6", str(path)])
    return jsonify(status=status)


@maintenance.get("/load")
def load_average():
    # safe: CWE-78
    return subprocess.check_output("cat /proc/loadavg | cut -d' ' -f1-3", shell=True)


@maintenance.get("/manifests/<path:filename>")
def manifest(filename):
    # vuln: CWE-22
    return send_file(os.path.join(MANIFEST_DIR, filename))


@maintenance.post("/labels/upload")
def upload_label():
    upload = request.files["label"]
    # vuln: CWE-22
    upload.save(LABEL_DIR / upload.filename)
    return jsonify(saved=upload.filename)


@maintenance.get("/backups/download")
def download_backup():
    name = request.args["name"]
    full_path = BACKUP_DIR + "/" + name
    # vuln: CWE-22
    with open(full_path, "rb") as handle:
        return handle.read(), 200, {"Content-Type": "application/sql"}


@maintenance.delete("/labels")
def delete_label():
    label = request.get_json()["label"]
    # vuln: CWE-22
    (LABEL_DIR / label).unlink(missing_ok=True)
    return "", 204


@maintenance.get("/manifests/safe/<path:filename>")
def manifest_safe(filename):
    # safe: CWE-22
    return send_from_directory(MANIFEST_DIR, filename)


@maintenance.post("/labels/upload/safe")
def upload_label_safe():
    upload = request.files["label"]
    # safe: CWE-22
    upload.save(LABEL_DIR / secure_filename(upload.filename))
    return jsonify(saved=True)


@maintenance.get("/backups/download/safe")
def download_backup_checked():
    base = os.path.realpath(BACKUP_DIR)
    full_path = os.path.realpath(os.path.join(base, request.args["name"]))
    if os.path.commonpath([base, full_path]) != base:
        abort(403)
    # safe: CWE-22
    with open(full_path, "rb") as handle:
        return handle.read(), 200, {"Content-Type": "application/sql"}


@maintenance.get("/shipments/<int:shipment_id>/label")
def shipment_label(shipment_id):
    # safe: CWE-22
    return send_file(LABEL_DIR / f"shipment-{shipment_id}.pdf", mimetype="application/pdf")
