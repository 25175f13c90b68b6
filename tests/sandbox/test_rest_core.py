"""Pagination, ETags, rate-limit headers, the request log, and the repository read endpoints."""

from __future__ import annotations

import base64
import io
import re
import tarfile

import requests

from github_sandbox import SandboxServer
from github_sandbox.testing import installation_token

from .conftest import Api


def _links(response: requests.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"',
                                                 response.headers.get("Link", ""))}


def test_a_list_spans_three_pages_through_link(sandbox: SandboxServer, as_org: Api) -> None:
    sandbox.state.push_commit("fortify-demo", "payments-api", "many-files",
                              {f"docs/page{i:02}.md": f"page {i}\n" for i in range(25)},
                              notify=False)
    sandbox.state.open_pull_request("fortify-demo", "payments-api", "many-files")
    seen: list[str] = []
    url = "/repos/fortify-demo/payments-api/pulls/1/files?per_page=10"
    pages = 0
    while url:
        response = as_org.get(url)
        assert response.status_code == 200
        seen += [f["filename"] for f in response.json()]
        links = _links(response)
        if pages == 0:
            assert set(links) == {"next", "last"}
            assert links["last"].startswith(sandbox.url) and "page=3" in links["last"]
        if pages == 1:
            assert set(links) == {"prev", "next", "last", "first"}
        url = links.get("next", "")
        pages += 1
    assert pages == 3
    assert len(seen) == 25 == len(set(seen))


def test_per_page_is_capped_at_100(sandbox: SandboxServer, as_org: Api) -> None:
    sandbox.state.push_commit("fortify-demo", "payments-api", "lots",
                              {f"f{i:03}.txt": "x\n" for i in range(120)}, notify=False)
    sandbox.state.open_pull_request("fortify-demo", "payments-api", "lots")
    response = as_org.get("/repos/fortify-demo/payments-api/pulls/1/files?per_page=500")
    assert len(response.json()) == 100


def test_conditional_get_answers_304_without_spending_rate_limit(as_org: Api) -> None:
    first = as_org.get("/repos/fortify-demo/payments-api")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    remaining = int(first.headers["x-ratelimit-remaining"])
    second = as_org.get("/repos/fortify-demo/payments-api", headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.content == b""
    assert int(second.headers["x-ratelimit-remaining"]) == remaining
    third = as_org.get("/repos/fortify-demo/payments-api")
    assert int(third.headers["x-ratelimit-remaining"]) == remaining - 1


def test_every_response_carries_github_headers(as_org: Api) -> None:
    response = as_org.get("/repos/fortify-demo/payments-api")
    for header in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                   "x-ratelimit-used", "x-ratelimit-resource", "x-github-request-id"):
        assert header in response.headers
    assert response.headers["x-ratelimit-limit"] == "5000"
    assert response.headers["x-ratelimit-resource"] == "core"
    assert response.headers["x-github-api-version-selected"] == "2022-11-28"
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_not_found_has_githubs_body(as_org: Api) -> None:
    response = as_org.get("/repos/fortify-demo/nope")
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found",
                               "documentation_url": "https://docs.github.com/rest",
                               "status": "404"}


def test_rate_limit_endpoint_does_not_count(as_org: Api) -> None:
    before = as_org.get("/rate_limit").json()["rate"]["remaining"]
    after = as_org.get("/rate_limit").json()["rate"]["remaining"]
    assert before == after


def test_request_log_redacts_authorization(sandbox: SandboxServer, as_org: Api) -> None:
    as_org.get("/repos/fortify-demo/payments-api?x=1")
    entry = sandbox.state.requests_to("GET", "/repos/fortify-demo/payments-api")[-1]
    assert entry["headers"]["Authorization"] == "token"
    assert entry["query"] == {"x": "1"}
    assert entry["status"] == 200


def _apply_patch(old: str, patch: str) -> str:
    """Apply GitHub-style hunks to `old`, so the test proves the patch is a real diff."""
    old_lines = old.splitlines()
    out: list[str] = []
    cursor = 0
    for line in patch.splitlines():
        header = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", line)
        if header:
            start = int(header.group(1))
            start = start - 1 if header.group(2) != "0" else start
            out += old_lines[cursor:start]
            cursor = start
        elif line.startswith("+"):
            out.append(line[1:])
        elif line.startswith("-"):
            cursor += 1
        elif line.startswith(" "):
            out.append(old_lines[cursor])
            cursor += 1
    return "\n".join(out + old_lines[cursor:]) + "\n"


def test_pull_request_files_carry_real_unified_diffs(sandbox: SandboxServer, as_org: Api) -> None:
    sandbox.state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    files = as_org.get("/repos/fortify-demo/payments-api/pulls/1/files").json()
    by_name = {f["filename"]: f for f in files}
    assert by_name["payments/settings.py"]["status"] == "added"
    db = by_name["payments/db.py"]
    assert db["status"] == "modified"
    assert db["additions"] == 6 and db["deletions"] == 0 and db["changes"] == 6
    assert db["patch"].startswith("@@ -")
    for entry in files:
        old = ""
        if entry["status"] != "added":
            old = base64.b64decode(as_org.get(
                f"/repos/fortify-demo/payments-api/contents/{entry['filename']}?ref=main"
            ).json()["content"]).decode()
        new = base64.b64decode(as_org.get(entry["contents_url"]).json()["content"]).decode()
        assert _apply_patch(old, entry["patch"]) == new
        assert entry["raw_url"].startswith(sandbox.url)
        assert requests.get(entry["raw_url"], timeout=5).text == new


def test_huge_diffs_have_no_patch(sandbox: SandboxServer, as_org: Api) -> None:
    sandbox.state.push_commit("fortify-demo", "payments-api", "huge",
                              {"big.txt": "".join(f"line {i}\n" for i in range(20_001))},
                              notify=False)
    sandbox.state.open_pull_request("fortify-demo", "payments-api", "huge")
    entry = as_org.get("/repos/fortify-demo/payments-api/pulls/1/files").json()[0]
    assert entry["additions"] == 20_001 and "patch" not in entry


def test_tarball_redirects_to_a_real_tar_gz(sandbox: SandboxServer, as_org: Api) -> None:
    response = as_org.get("/repos/fortify-demo/payments-api/tarball/vuln/sql-injection",
                          allow_redirects=False)
    assert response.status_code == 302
    download = requests.get(response.headers["Location"], timeout=10)
    sha = sandbox.state.repository("fortify-demo", "payments-api").branches["vuln/sql-injection"]
    with tarfile.open(fileobj=io.BytesIO(download.content), mode="r:gz") as archive:
        names = archive.getnames()
        top = f"fortify-demo-payments-api-{sha[:7]}"
        assert names[0] == top
        assert f"{top}/payments/settings.py" in names
        member = archive.extractfile(f"{top}/payments/db.py")
        assert member is not None and b"ORDER BY id\" % customer" in member.read()


def test_tree_blob_and_contents_agree(as_org: Api) -> None:
    tree = as_org.get("/repos/fortify-demo/payments-api/git/trees/main?recursive=1").json()
    blob_entry = next(e for e in tree["tree"] if e["path"] == "payments/app.py")
    blob = as_org.get(f"/repos/fortify-demo/payments-api/git/blobs/{blob_entry['sha']}").json()
    content = as_org.get("/repos/fortify-demo/payments-api/contents/payments/app.py").json()
    assert blob["content"] == content["content"]
    assert content["sha"] == blob_entry["sha"] and content["encoding"] == "base64"
    assert {e["type"] for e in tree["tree"]} == {"blob", "tree"}


def test_pulls_filters_and_commit_pulls(sandbox: SandboxServer, as_org: Api) -> None:
    pr = sandbox.state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    sandbox.state.open_pull_request("fortify-demo", "payments-api", "feature/clean-change")
    listed = as_org.get("/repos/fortify-demo/payments-api/pulls",
                        params={"head": "fortify-demo:vuln/sql-injection"}).json()
    assert [p["number"] for p in listed] == [1]
    sha = pr["head"]["sha"]
    assert [p["number"] for p in as_org.get(
        f"/repos/fortify-demo/payments-api/commits/{sha}/pulls").json()] == [1]
    sandbox.state.close_pull_request("fortify-demo", "payments-api", 2)
    assert len(as_org.get("/repos/fortify-demo/payments-api/pulls?state=all").json()) == 2
    assert len(as_org.get("/repos/fortify-demo/payments-api/pulls").json()) == 1


def test_push_commit_updates_the_pull_request(sandbox: SandboxServer, as_org: Api) -> None:
    sandbox.state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    sha = sandbox.state.push_commit("fortify-demo", "payments-api", "vuln/sql-injection",
                                    {"payments/settings.py": None}, "Remove keys")
    pr = as_org.get("/repos/fortify-demo/payments-api/pulls/1").json()
    assert pr["head"]["sha"] == sha
    assert pr["commits"] == 2
    names = [f["filename"] for f in as_org.get(
        "/repos/fortify-demo/payments-api/pulls/1/files").json()]
    assert "payments/settings.py" not in names


def test_compare_lists_commits_and_files(as_org: Api) -> None:
    body = as_org.get(
        "/repos/fortify-demo/payments-api/compare/main...vuln/sql-injection").json()
    assert body["status"] == "ahead" and body["ahead_by"] == 1 and body["behind_by"] == 0
    assert {f["filename"] for f in body["files"]} >= {"payments/db.py"}


def test_git_data_writes_need_contents_write(as_org: Api) -> None:
    response = as_org.post("/repos/fortify-demo/payments-api/git/blobs",
                           json={"content": "x", "encoding": "utf-8"})
    assert response.status_code == 403


def test_languages(as_org: Api) -> None:
    assert list(as_org.get("/repos/fortify-demo/payments-api/languages").json()) == ["Python"]


def test_an_exhausted_budget_is_a_real_primary_rate_limit(sandbox: SandboxServer,
                                                          as_org: Api) -> None:
    first = as_org.get("/repos/fortify-demo/payments-api")
    owner = "installation:" + str(next(iter(sandbox.state.installations)))
    for _ in range(int(first.headers["x-ratelimit-remaining"])):
        sandbox.state.ratelimits.spend(owner, "installation")
    limited = as_org.get("/repos/fortify-demo/payments-api")
    assert limited.status_code == 403
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.json()["message"].startswith("API rate limit exceeded for installation ID")
    sandbox.state.clock.advance(3601)  # a new window (and a new token: the old one expired)
    fresh = Api(sandbox, f"token {installation_token(sandbox)}")
    assert fresh.get("/repos/fortify-demo/payments-api").status_code == 200


def test_link_header_keeps_the_callers_query(sandbox: SandboxServer, as_app: Api) -> None:
    for login in ("a1", "a2"):
        sandbox.state.create_user(login)
        sandbox.state.create_installation(login, notify=False)
    response = as_app.get("/app/installations?per_page=2")
    assert _links(response)["next"] == f"{sandbox.url}/app/installations?per_page=2&page=2"
