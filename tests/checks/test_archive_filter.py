"""The archive prefilter drops only members a pull request surely does not need, and leaves
every archive it cannot judge to tarfile: what a scan unpacks is the same either way."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from checks.archive_filter import MAX_EXTENDED_BYTES, kept_members, kept_paths_skippable
from checks.fetch import unpack_tarball

TOP = "org-repo-abc1234"
KEEP = {"app/views.py", "deep/" * 60 + "long.py", "ünï/côde.py", "app/link.py",
        "app/hard.py", "empty.py", "block.py", "gone.py"}


def build(path: Path, *, fmt: int = tarfile.PAX_FORMAT, global_headers: dict | None = None,
          extra: list[tarfile.TarInfo] = ()) -> Path:
    """A repository archive with what GitHub's hold: a global header naming the commit,
    directories, long and non-ASCII names, links, empty and block-sized files."""
    files = {f"{TOP}/src/module_{index:04d}.py": f"x = {index}\n".encode()
             for index in range(600)}
    files.update({f"{TOP}/app/views.py": b"import os\nos.system(input())\n",
                  f"{TOP}/" + "deep/" * 60 + "long.py": b"y = 2\n" * 300,
                  f"{TOP}/ünï/côde.py": b"z = 3\n", f"{TOP}/empty.py": b"",
                  f"{TOP}/block.py": b"#" * 512, f"{TOP}/app/other.py": b"w = 4\n"})
    with tarfile.open(path, "w:gz", format=fmt,
                      pax_headers=global_headers if global_headers is not None
                      else {"comment": "abc1234" * 5}) as tar:
        for directory in (TOP, f"{TOP}/app", f"{TOP}/src"):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo(f"{TOP}/app/link.py")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        hard = tarfile.TarInfo(f"{TOP}/app/hard.py")
        hard.type, hard.linkname = tarfile.LNKTYPE, f"{TOP}/app/other.py"
        for info in (link, hard, *extra):
            tar.addfile(info, io.BytesIO(b"v" * info.size) if info.size else None)
    return path


def regular_members(tar: tarfile.TarFile) -> dict[str, tuple[int, bytes]]:
    out = {}
    for member in tar:
        if member.isfile():
            source = tar.extractfile(member)
            out[member.name] = (member.size, source.read() if source else b"")
    return out


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_every_member_a_pull_request_could_need_is_kept_byte_for_byte(tmp_path, fmt):
    if fmt == tarfile.USTAR_FORMAT:  # ustar holds neither the long nor the non-ASCII name
        path = tmp_path / "repo.tar.gz"
        with tarfile.open(path, "w:gz", format=fmt) as tar:
            for index in range(300):
                info = tarfile.TarInfo(f"{TOP}/src/module_{index:04d}.py")
                info.size = 6
                tar.addfile(info, io.BytesIO(b"x = 1\n"))
    else:
        path = build(tmp_path / "repo.tar.gz", fmt=fmt)
    skippable = kept_paths_skippable(KEEP)
    with tarfile.open(path, "r:gz") as tar:
        original = regular_members(tar)

    filtered = kept_members(path, skippable)

    assert filtered is not None, "an archive like GitHub's is judged"
    with filtered, tarfile.open(fileobj=filtered, mode="r:") as tar:
        kept = regular_members(tar)
    needed = {name: member for name, member in original.items() if not skippable(name)}
    assert needed.items() <= kept.items() <= original.items()
    if fmt != tarfile.USTAR_FORMAT:
        assert f"{TOP}/app/views.py" in kept and f"{TOP}/ünï/côde.py" in kept
    assert len(kept) <= len(needed) + 2, "the repository's other files are dropped"


def test_unpacking_a_pull_request_gives_the_same_files_with_and_without_the_filter(tmp_path):
    path = build(tmp_path / "repo.tar.gz")
    # A harmless comment the filter cannot tell from a renaming header: tarfile reads it all.
    plain = build(tmp_path / "plain.tar.gz", global_headers={"comment": "path, size"})
    assert kept_members(plain, kept_paths_skippable(KEEP)) is None

    filtered_out, plain_out = tmp_path / "filtered", tmp_path / "plain"
    written, files = unpack_tarball(path, filtered_out, only=KEEP)
    written_plain, files_plain = unpack_tarball(plain, plain_out, only=KEEP)

    assert sorted(written) == sorted(written_plain) == sorted(
        ["app/views.py", "deep/" * 60 + "long.py", "ünï/côde.py", "empty.py", "block.py"])
    with tarfile.open(path) as tar:
        regular_files = sum(member.isfile() for member in tar)
    assert files == files_plain == regular_files, "both count every file of the repository"
    for name in written:
        assert (filtered_out / name).read_bytes() == (plain_out / name).read_bytes()
    assert not (filtered_out / "app/link.py").exists(), "links are never written"


def _with_header_bytes(path: Path, offset: int, value: bytes) -> Path:
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[offset:offset + len(value)] = value
    broken = path.with_name(f"broken-{offset}.tar.gz")
    broken.write_bytes(gzip.compress(bytes(raw)))
    return broken


def _with_long_pax_comment(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.pax_headers = {"comment": "c" * (MAX_EXTENDED_BYTES + 1)}
    return info


def test_what_the_filter_cannot_judge_is_left_to_tarfile(tmp_path):
    skippable = kept_paths_skippable(KEEP)
    good = build(tmp_path / "repo.tar.gz", global_headers={})
    sized = tarfile.TarInfo(f"{TOP}/app/sized.py")
    sized.size, sized.pax_headers = 3, {"size": "3"}
    old_directory = tarfile.TarInfo(f"{TOP}/olddir/")
    old_directory.type = tarfile.AREGTYPE
    unjudged = {
        "a global header that could rename members": build(
            tmp_path / "g.tar.gz", global_headers={"path": "elsewhere"}),
        "a pax header that sets a size": build(tmp_path / "x.tar.gz", extra=[sized]),
        "an old-style directory": build(tmp_path / "d.tar.gz", extra=[old_directory]),
        "a wrong checksum": _with_header_bytes(good, 148, b"0000000\x00"),
        "a header without the ustar magic": _with_header_bytes(good, 257, b"\x00" * 8),
        "a truncated archive": tmp_path / "t.tar.gz",
        "an extended header larger than it holds in memory": build(
            tmp_path / "big.tar.gz", extra=[_with_long_pax_comment(f"{TOP}/app/big.py")]),
    }
    unjudged["a truncated archive"].write_bytes(
        gzip.compress(gzip.decompress(good.read_bytes())[:4096 + 100]))
    assert kept_members(good, skippable) is not None
    for reason, path in unjudged.items():
        assert kept_members(path, skippable) is None, reason
