"""The embedded default (SQLite, file-system broker) stays correct when deliveries arrive at
once: every one acknowledged is stored exactly once, duplicates included.

The web process runs as it does under ``bin/run`` (threaded ``runserver`` on SQLite in WAL
mode); the deliveries come from several threads at the same time.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from django.conf import settings

from tests.support.processes import free_port, stop_group, wait_until
from tests.support.webhooks import load_fixture, post_webhook


def test_concurrent_deliveries_on_sqlite_are_each_stored_once():
    directory = Path(tempfile.mkdtemp(prefix="embedded-ingest-"))
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "fortify_github.settings",
                "FORTIFY_VAR_DIR": str(directory)})
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=settings.BASE_DIR, env=env, check=True)
    port = free_port()
    log = directory / "web.log"
    web = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}",
                            "--noreload"], cwd=settings.BASE_DIR, env=env,
                           stdout=log.open("w"), stderr=subprocess.STDOUT,
                           start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(url + "/health", timeout=2).status_code, timeout=60,
                   what="the web process", log=log)
        payload = load_fixture("pull_request", "opened")
        repeated = str(uuid.uuid4())
        guids = [str(uuid.uuid4()) for _ in range(30)] + [repeated] * 10
        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(
                lambda guid: post_webhook(url, "pull_request", payload, delivery=guid,
                                          timeout=60), guids))
    finally:
        stop_group(web)

    statuses = [response.status_code for response in responses]
    assert all(code in (200, 202) for code in statuses), statuses
    assert statuses.count(202) == 31, "each GUID is accepted once; its repeats are duplicates"
    assert sorted(r.json()["status"] for r in responses if r.status_code == 200) == \
        ["duplicate"] * 9
    with sqlite3.connect(directory / "fortify.sqlite3") as db:
        stored = db.execute("SELECT delivery_id, count(*) FROM webhooks_webhookevent "
                            "GROUP BY delivery_id").fetchall()
    assert len(stored) == 31
    assert all(count == 1 for _, count in stored)
