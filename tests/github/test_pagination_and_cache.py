"""Pagination by ``Link`` header with a page cap, and conditional GETs (issue 4, parts 2, 4)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fortify_github.github import app_client, installation_client
from fortify_github.github.client import GitHubClient
from github_sandbox import SandboxServer
from github_sandbox.testing import installation_id_for

from .conftest import OWNER, REPO

REPO_PATH = f"/repos/{OWNER}/{REPO}"


def _pull_request_with_files(server: SandboxServer, count: int) -> int:
    server.state.push_commit(OWNER, REPO, "many-files",
                             {f"src/module_{i:03}.py": f"value = {i}\n" for i in range(count)},
                             notify=False)
    return server.state.open_pull_request(OWNER, REPO, "many-files")["number"]


def test_pagination_across_three_pages(gh: SandboxServer, client: GitHubClient) -> None:
    number = _pull_request_with_files(gh, 250)
    files = list(client.list_pull_request_files(OWNER, REPO, number))
    assert len(files) == 250
    assert len({f["filename"] for f in files}) == 250
    pages = gh.state.requests_to("GET", f"{REPO_PATH}/pulls/{number}/files")
    assert [p["query"].get("page", "1") for p in pages] == ["1", "2", "3"]
    assert all(p["query"]["per_page"] == "100" for p in pages)


def test_pagination_stops_at_the_page_cap(gh: SandboxServer, client: GitHubClient,
                                          settings) -> None:
    settings.GITHUB_MAX_PAGES = 2
    number = _pull_request_with_files(gh, 250)
    assert len(list(client.list_pull_request_files(OWNER, REPO, number))) == 200
    assert len(gh.state.requests_to("GET", f"{REPO_PATH}/pulls/{number}/files")) == 2


def test_list_endpoints_wrapped_in_an_object(gh: SandboxServer, client: GitHubClient) -> None:
    names = [r["full_name"] for r in client.list_installation_repositories()]
    assert names == ["fortify-demo/payments-api", "fortify-demo/web-frontend"]
    assert {i["id"] for i in app_client().list_installations()} == set(gh.state.installations)


def test_hook_deliveries_follow_the_cursor(gh: SandboxServer) -> None:
    for number in range(130):
        gh.state.send_webhook("ping", {"zen": f"delivery {number}"}, wait=True)
    deliveries = list(app_client().list_hook_deliveries())
    assert len(deliveries) == 130
    assert [d["id"] for d in deliveries] == sorted((d["id"] for d in deliveries), reverse=True)
    calls = gh.state.requests_to("GET", "/app/hook/deliveries")
    assert len(calls) == 2 and "cursor" in calls[1]["query"]


def test_hook_deliveries_stop_at_since(gh: SandboxServer) -> None:
    for number in range(120):
        gh.state.send_webhook("ping", {"zen": f"old {number}"}, wait=True)
    boundary = int(gh.state.clock.now()) + 1  # delivered_at has one-second resolution
    time.sleep(max(boundary - gh.state.clock.now(), 0) + 0.05)
    since = datetime.fromtimestamp(boundary, tz=UTC)
    for number in range(5):
        gh.state.send_webhook("ping", {"zen": f"new {number}"}, wait=True)
    recent = list(app_client().list_hook_deliveries(since=since))
    assert len(recent) == 5
    assert len(gh.state.requests_to("GET", "/app/hook/deliveries")) == 1


def test_a_304_is_served_from_the_cache(gh: SandboxServer, client: GitHubClient) -> None:
    first = client.get_repository(OWNER, REPO)
    second = client.get_repository(OWNER, REPO)
    assert second == first
    calls = gh.state.requests_to("GET", REPO_PATH)
    assert [c["status"] for c in calls] == [200, 304]
    assert calls[1]["headers"]["If-None-Match"]


def test_a_blob_already_read_is_not_asked_for_again(gh: SandboxServer,
                                                    client: GitHubClient) -> None:
    """A blob's sha is the hash of its content: what this credential read once is the
    answer for as long as the cache keeps it, so no request (not even a conditional one)."""
    gh.state.push_commit(OWNER, REPO, "main", {"src/kept.py": "kept = 1\n"}, notify=False)
    sha = next(entry["sha"] for entry in
               client.get_tree(OWNER, REPO, "main", recursive=True)["tree"]
               if entry["path"] == "src/kept.py")
    blob_path = f"{REPO_PATH}/git/blobs/{sha}"
    first = client.get_blob(OWNER, REPO, sha)
    assert client.get_blob(OWNER, REPO, sha) == first
    assert [c["status"] for c in gh.state.requests_to("GET", blob_path)] == [200]

    narrowed = installation_client(installation_id_for(gh, OWNER),
                                   repositories=["payments-api"])
    assert narrowed.get_blob(OWNER, REPO, sha) == first
    assert [c["status"] for c in gh.state.requests_to("GET", blob_path)] == [200, 200], \
        "another credential asks GitHub itself"


def test_a_changed_resource_is_fetched_again(gh: SandboxServer, client: GitHubClient) -> None:
    before = client.get_branch(OWNER, REPO, "main")["commit"]["sha"]
    new_sha = gh.state.push_commit(OWNER, REPO, "main", {"NEW.md": "hello\n"}, notify=False)
    after = client.get_branch(OWNER, REPO, "main")["commit"]["sha"]
    assert before != after == new_sha
    assert [c["status"] for c in gh.state.requests_to("GET", f"{REPO_PATH}/branches/main")] == [
        200, 200]


def test_cached_bodies_are_not_shared_between_credentials(gh: SandboxServer,
                                                          client: GitHubClient) -> None:
    client.get_repository(OWNER, REPO)
    narrowed = installation_client(installation_id_for(gh, OWNER),
                                   repositories=["payments-api"])
    narrowed.get_repository(OWNER, REPO)
    assert [c["status"] for c in gh.state.requests_to("GET", REPO_PATH)] == [200, 200]
    assert "If-None-Match" not in gh.state.requests_to("GET", REPO_PATH)[1]["headers"]


def test_paginated_pages_are_cached_with_their_links(gh: SandboxServer,
                                                     client: GitHubClient) -> None:
    number = _pull_request_with_files(gh, 150)
    assert len(list(client.list_pull_request_files(OWNER, REPO, number))) == 150
    assert len(list(client.list_pull_request_files(OWNER, REPO, number))) == 150
    statuses = [c["status"] for c in
                gh.state.requests_to("GET", f"{REPO_PATH}/pulls/{number}/files")]
    assert statuses == [200, 200, 304, 304]


def test_a_next_page_on_another_host_is_not_followed(settings) -> None:
    """Our token goes with every page request, so a Link to another host ends the list."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("Host", ""))
            body = json.dumps([{"login": "octocat", "id": 1}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Link", '<http://localhost:9/user/emails?page=2>; rel="next"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.GITHUB_API_URL = f"http://127.0.0.1:{server.server_port}"
        from fortify_github.github import user_client

        emails = list(user_client("gho_" + "x" * 36).list_user_emails())
    finally:
        server.shutdown()
        server.server_close()
    assert emails == [{"login": "octocat", "id": 1}]
    assert len(seen) == 1
