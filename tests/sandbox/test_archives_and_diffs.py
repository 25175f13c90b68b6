"""The sandbox's archives and diffs stay what GitHub serves while costing what a change costs:
archive headers are reused across commits, tree diffs skip subtrees both sides share."""

from __future__ import annotations

import gzip
import io
import tarfile

from github_sandbox import SandboxServer
from github_sandbox.archives import build_tarball
from github_sandbox.diffs import diff_entries
from github_sandbox.models import Repository

FILES = {
    "README.md": "demo\n",
    "empty.py": "",
    "ünïcode/naïve.py": "x = 'é'\n",  # a name a ustar header cannot hold: a pax header
    "deep/" * 40 + "long_name.py": "y = 2\n" * 200,  # longer than ustar's 255 bytes
    "a/" * 30 + "split_into_the_prefix.py": "w = 5\n",  # ustar splits it into its prefix
    **{f"src/module_{index:03d}.py": f"value = {index}\n" for index in range(300)},
}


def _members(archive: bytes) -> dict[str, tuple[tarfile.TarInfo, bytes | None]]:
    """Every member and, for files, its content. tarfile checks each header's checksum while
    reading: a wrong one raises ReadError or ends the archive early."""
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        return {member.name: (member, (source := tar.extractfile(member)) and source.read())
                for member in tar}


def _repository(sandbox: SandboxServer, name: str) -> Repository:
    sandbox.state.create_repository("fortify-demo", name, files=FILES, language="Python")
    return sandbox.state.repository("fortify-demo", name)


def test_an_archive_holds_every_file_stamped_with_its_commit_time(sandbox: SandboxServer
                                                                  ) -> None:
    state = sandbox.state
    repo = _repository(sandbox, "archive-demo")
    first = repo.branches["main"]
    # The second commit reuses every cached header: its own sha, time and checksums must show.
    state.clock.advance(3600)
    second = state.push_commit("fortify-demo", "archive-demo", "main", {"empty.py": "z = 3\n"},
                               notify=False)
    for sha in (first, second):
        archive = build_tarball(repo, sha)
        top = f"fortify-demo-archive-demo-{sha[:7]}"
        members = _members(archive)
        stamp = int(repo.store.commits[sha].committer.timestamp)
        assert members[top][0].isdir()
        files = {name.removeprefix(f"{top}/"): (member, content)
                 for name, (member, content) in members.items() if member.isfile()}
        assert set(files) == set(FILES)
        assert {member.mtime for member, _ in members.values()} == {stamp}
        assert {member.mode for member, _ in files.values()} == {0o664}
        assert {path: content for path, (_, content) in files.items()} == \
            repo.store.files_of(sha)
        assert gzip.decompress(archive)[-512:] == bytes(512), "ends with zero blocks"
    assert int(repo.store.commits[second].committer.timestamp) != int(
        repo.store.commits[first].committer.timestamp)


def test_a_diff_lists_what_changed_under_subtrees_it_does_not_walk(sandbox: SandboxServer
                                                                   ) -> None:
    state = sandbox.state
    repo = _repository(sandbox, "diff-demo")
    base = repo.branches["main"]
    head = state.push_commit("fortify-demo", "diff-demo", "feature", {
        "src/module_007.py": "value = 'changed'\n",  # modified inside a large subtree
        "src/module_008.py": None,  # moved, byte for byte
        "moved/module_008.py": "value = 8\n",
        "README.md": None,  # removed
        "new/dir/file.py": "added = True\n",  # added, in new directories
    }, notify=False)
    entries = {entry["filename"]: entry
               for entry in diff_entries(repo, "http://sandbox", base, head)}
    assert set(entries) == {"src/module_007.py", "moved/module_008.py", "README.md",
                            "new/dir/file.py"}
    assert entries["src/module_007.py"]["status"] == "modified"
    assert entries["moved/module_008.py"]["status"] == "renamed"
    assert entries["moved/module_008.py"]["previous_filename"] == "src/module_008.py"
    assert entries["README.md"]["status"] == "removed"
    assert entries["new/dir/file.py"]["status"] == "added"
    assert [entry["filename"] for entry in diff_entries(repo, "http://sandbox", None, base)
            ] == sorted(FILES), "without a base every file is added"
