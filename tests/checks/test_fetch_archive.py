"""Unpacking the head commit's archive for a pull request: only the changed files, exactly
as named, and never a path that leaves the workspace."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from checks.fetch import UnsafePath, extract_tarball


def archive(tmp_path: Path, members: dict[str, bytes], *, links: dict[str, str] | None = None
            ) -> Path:
    path = tmp_path / "repo.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return path


def test_a_pull_requests_archive_yields_only_its_changed_files(tmp_path):
    members = {f"org-repo-abc1234/src/module_{i:04d}.py": b"x = 1\n" for i in range(500)}
    members["org-repo-abc1234/app/views.py"] = b"import os\nos.system(input())\n"
    members["org-repo-abc1234/README.md"] = b"readme\n"
    out = tmp_path / "out"

    written = extract_tarball(archive(tmp_path, members), out,
                              only={"app/views.py", "src/module_0007.py", "gone.py"})

    assert sorted(written) == ["app/views.py", "src/module_0007.py"]
    assert (out / "app/views.py").read_bytes() == b"import os\nos.system(input())\n"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == \
        ["app/views.py", "src/module_0007.py"]


def test_a_changed_file_under_an_unusual_member_name_is_still_found(tmp_path):
    members = {"org-repo-abc1234/./app//views.py": b"print(1)\n",
               "org-repo-abc1234/other.py": b"print(2)\n"}

    written = extract_tarball(archive(tmp_path, members), tmp_path / "out",
                              only={"app/views.py"})

    assert written == ["app/views.py"]


@pytest.mark.parametrize("name", ["org-repo-abc1234/../evil.py",
                                  "org-repo-abc1234/src/../../evil.py"])
def test_a_member_that_would_leave_the_workspace_stops_the_unpacking(tmp_path, name):
    members = {"org-repo-abc1234/app/views.py": b"print(1)\n", name: b"pwned\n"}

    with pytest.raises(UnsafePath):
        extract_tarball(archive(tmp_path, members), tmp_path / "out", only={"app/views.py"})
    assert not (tmp_path / "evil.py").exists()


def test_links_are_never_unpacked_even_when_listed(tmp_path):
    path = archive(tmp_path, {"org-repo-abc1234/app/views.py": b"print(1)\n"},
                   links={"org-repo-abc1234/app/secrets.py": "/etc/passwd"})

    written = extract_tarball(path, tmp_path / "out", only={"app/views.py", "app/secrets.py"})

    assert written == ["app/views.py"]
    assert not (tmp_path / "out/app/secrets.py").exists()
