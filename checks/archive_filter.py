"""A pull request's archive without the repository's other files, before :mod:`tarfile`.

A PR scan needs a handful of files from an archive of the whole repository. :mod:`tarfile`
decodes every member's header in Python (~30 µs each: 0.3 s for a 10,000-file repository,
on every pull request). This reads the uncompressed stream block by block and drops the
members that are surely not needed, then hands :mod:`tarfile` what is left, so every check
:func:`checks.fetch.extract_tarball` makes (regular files only, safe paths, sizes) still runs
on every member that could be written.

A member is dropped only when its own header decides it: a regular file whose plain name is
not kept, or a directory or link (never written). Anything else is kept whole, extended
headers with the member they describe. What this reader does not know how to judge (another
magic, a binary size, a checksum that does not add up, an extended header that changes a
size or is over a megabyte, a global header that could change names, a truncated stream)
returns ``None``, and the caller reads the original archive with :mod:`tarfile` alone, with
the same outcome as before.
"""

from __future__ import annotations

import gzip
import io
import re
import tempfile
import zlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import IO

BLOCK = 512
CHUNK = 1 << 20
#: A kept member larger than this is spooled to disk rather than held in memory.
SPOOL_BYTES = 16 << 20
#: An extended header is read whole (as tarfile does); a larger one is left to tarfile.
MAX_EXTENDED_BYTES = 1 << 20

_USTAR_MAGICS = (b"ustar\x0000", b"ustar  \x00")  # POSIX, GNU (with their version bytes)
_FILE_TYPES = frozenset(b"0\x007")  # tarfile's regular types, sparse ("S") aside
_NO_DATA_TYPES = frozenset(b"123456")  # links, devices, directories, FIFOs: header only
_EXTENDED_TYPES = frozenset(b"xLK")  # a pax header, GNU long name, GNU long link name
_GLOBAL_TYPE = ord("g")
_OCTAL = re.compile(rb"[0-7]*")
_ZERO_BLOCK = bytes(BLOCK)


class _Unjudged(Exception):
    """The stream holds something this reader does not decide; tarfile reads it all."""


class _Stream:
    """The uncompressed archive, read a chunk at a time."""

    def __init__(self, source: io.BufferedIOBase) -> None:
        self.source = source
        self.buffer = b""
        self.position = 0

    def take(self, size: int) -> bytes:
        if len(self.buffer) - self.position < size:
            self.buffer = self.buffer[self.position:] + self.source.read(max(size, CHUNK))
            self.position = 0
            if len(self.buffer) < size:
                raise _Unjudged("truncated archive")
        start = self.position
        self.position += size
        return self.buffer[start:self.position]

    def skip(self, size: int) -> None:
        available = len(self.buffer) - self.position
        if size <= available:
            self.position += size
            return
        self.buffer, self.position = b"", 0
        remaining = size - available
        while remaining:
            read = len(self.source.read(min(remaining, CHUNK)))
            if not read:
                raise _Unjudged("truncated archive")
            remaining -= read

    def copy(self, size: int, into: IO[bytes]) -> None:
        while size:
            part = self.take(min(size, CHUNK))
            into.write(part)
            size -= len(part)


def kept_members(archive: Path, skippable: Callable[[str], bool]) -> IO[bytes] | None:
    """The archive (a ``.tar.gz``) as an uncompressed tar stream without the members
    ``skippable`` names (it is asked only about plain ASCII names of regular files), rewound;
    ``None`` when the archive is not one this reader judges."""
    kept = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
    try:
        with gzip.open(archive, "rb") as source:
            _filter(_Stream(source), skippable, kept)
    except (_Unjudged, OSError, EOFError, zlib.error):
        kept.close()
        return None
    kept.seek(0)
    return kept


def _filter(stream: _Stream, skippable: Callable[[str], bool], kept: IO[bytes]) -> None:
    pending: list[bytes] = []  # extended headers, with their data, for the next member
    while True:
        header = stream.take(BLOCK)
        if header == _ZERO_BLOCK:  # the end of the archive, where tarfile stops too
            if pending:
                raise _Unjudged("extended header without a member")
            kept.write(_ZERO_BLOCK * 2)
            return
        kind, size = _checked(header)
        if kind in _EXTENDED_TYPES or kind == _GLOBAL_TYPE:
            if size > MAX_EXTENDED_BYTES:
                raise _Unjudged("an extended header too large to hold")
            data = stream.take(_padded(size))
            if kind == ord("x") and (b"size=" in data or b"GNU.sparse" in data):
                raise _Unjudged("a pax header that changes where data ends")
            if kind == _GLOBAL_TYPE:
                if b"path" in data or b"size" in data or b"GNU" in data:
                    raise _Unjudged("a global header that could rename members")
                kept.write(header + data)
            else:
                pending += (header, data)
            continue
        if kind in _NO_DATA_TYPES:  # never written; tarfile reads no data after these
            pending.clear()
            continue
        if kind not in _FILE_TYPES:
            raise _Unjudged("an unusual member type")
        if kind == 0 and header[:100].split(b"\x00", 1)[0].endswith(b"/"):
            raise _Unjudged("an old-style directory")  # tarfile reads no data after it
        if not pending and (name := _plain_name(header)) is not None and skippable(name):
            stream.skip(_padded(size))
            continue
        kept.write(b"".join(pending) + header)
        pending.clear()
        stream.copy(_padded(size), kept)


def _checked(header: bytes) -> tuple[int, int]:
    """``(type, size)`` of a header tarfile would accept."""
    if header[257:265] not in _USTAR_MAGICS:
        raise _Unjudged("not a ustar header")
    stored = header[148:156].split(b"\x00", 1)[0].strip()
    # The checksum counts its own field as eight spaces.
    if not (stored and _OCTAL.fullmatch(stored)) or int(stored, 8) != (
            sum(header) - sum(header[148:156]) + 256):
        raise _Unjudged("a header checksum that does not add up")
    field = header[124:136]
    if field[0] & 0x80:
        raise _Unjudged("a base-256 size")
    digits = field.split(b"\x00", 1)[0].strip()
    if not _OCTAL.fullmatch(digits):
        raise _Unjudged("a malformed size")
    return header[156], int(digits or b"0", 8)


def _plain_name(header: bytes) -> str | None:
    """The member's name as tarfile reads it (prefix, then name), if it is plain ASCII."""
    name = header[:100].split(b"\x00", 1)[0]
    prefix = header[345:500].split(b"\x00", 1)[0]
    if prefix:
        name = prefix + b"/" + name
    return name.decode("ascii") if name.isascii() else None


def _padded(size: int) -> int:
    return -(-size // BLOCK) * BLOCK


def kept_paths_skippable(keep: Collection[str | None]) -> Callable[[str], bool]:
    """``skippable`` for a PR's archive: members below the top directory that are plain paths
    (they normalise to themselves) and not ones the scan keeps."""

    def skippable(name: str) -> bool:
        _, _, rest = name.partition("/")
        if not rest or rest in keep or "\\" in rest:
            return False
        framed = f"/{rest}/"  # no empty, "." or ".." segment
        return "//" not in framed and "/./" not in framed and "/../" not in framed

    return skippable
