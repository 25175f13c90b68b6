"""A tiny content-addressed git object store: every sha the sandbox hands out is a real one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

FILE_MODE = "100644"
TREE_MODE = "040000"


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    timestamp: float

    def header(self) -> str:
        return f"{self.name} <{self.email}> {int(self.timestamp)} +0000"


@dataclass(frozen=True)
class TreeEntry:
    name: str
    mode: str
    type: str  # "blob" or "tree"
    sha: str


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: Signature
    committer: Signature


@dataclass
class ObjectStore:
    """Blobs, trees and commits of one repository, keyed by their git sha."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, tuple[TreeEntry, ...]] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    #: ``tree sha -> {name: (type, sha)}``, built once per tree (a tree never changes).
    _indexes: dict[str, dict[str, tuple[str, str]]] = field(
        default_factory=dict, repr=False, compare=False)

    def tree_index(self, tree_sha: str) -> dict[str, tuple[str, str]]:
        """A tree's entries by name, as ``(type, sha)``: two trees' differing names are the
        symmetric difference of their items, computed without a Python loop over entries."""
        index = self._indexes.get(tree_sha)
        if index is None:
            index = {entry.name: (entry.type, entry.sha) for entry in self.trees[tree_sha]}
            self._indexes[tree_sha] = index
        return index

    def put_blob(self, content: bytes) -> str:
        sha = _git_hash("blob", content)
        self.blobs[sha] = content
        return sha

    def put_tree(self, entries: list[TreeEntry]) -> str:
        ordered = tuple(sorted(entries, key=_tree_sort_key))
        body = b"".join(
            f"{e.mode.lstrip('0')} {e.name}".encode() + b"\0" + bytes.fromhex(e.sha)
            for e in ordered
        )
        sha = _git_hash("tree", body)
        self.trees[sha] = ordered
        return sha

    def put_commit(
        self, tree: str, parents: list[str], message: str, author: Signature, committer: Signature
    ) -> Commit:
        lines = [f"tree {tree}", *(f"parent {p}" for p in parents),
                 f"author {author.header()}", f"committer {committer.header()}", "", message]
        sha = _git_hash("commit", "\n".join(lines).encode())
        commit = Commit(sha, tree, tuple(parents), message, author, committer)
        self.commits[sha] = commit
        return commit

    def write_files(self, files: dict[str, bytes]) -> str:
        """Store a flat `{path: content}` snapshot as nested trees; return the root tree sha."""
        return self.write_tree({path.strip("/"): self.put_blob(data)
                                for path, data in files.items()})

    def write_tree(self, blob_shas: dict[str, str]) -> str:
        """Store a flat `{path: blob sha}` snapshot as nested trees; return the root tree sha."""
        entries: list[TreeEntry] = []
        subdirs: dict[str, dict[str, str]] = {}
        for path, sha in blob_shas.items():
            head, _, rest = path.partition("/")
            if rest:
                subdirs.setdefault(head, {})[rest] = sha
            else:
                entries.append(TreeEntry(head, FILE_MODE, "blob", sha))
        for name, children in subdirs.items():
            entries.append(TreeEntry(name, TREE_MODE, "tree", self.write_tree(children)))
        return self.put_tree(entries)

    def walk(self, tree_sha: str, prefix: str = "") -> list[tuple[str, TreeEntry]]:
        """Every entry under a tree, depth first, with its full path (like `?recursive=1`)."""
        out: list[tuple[str, TreeEntry]] = []
        for entry in self.trees[tree_sha]:
            path = f"{prefix}{entry.name}"
            out.append((path, entry))
            if entry.type == "tree":
                out.extend(self.walk(entry.sha, path + "/"))
        return out

    def files_of(self, commit_sha: str) -> dict[str, bytes]:
        """The flat `{path: content}` snapshot of a commit."""
        tree = self.commits[commit_sha].tree
        return {p: self.blobs[e.sha] for p, e in self.walk(tree) if e.type == "blob"}

    def ancestors(self, commit_sha: str) -> list[str]:
        """The commit and everything reachable from it, nearest first."""
        seen: list[str] = []
        queue = [commit_sha]
        while queue:
            sha = queue.pop(0)
            if sha in seen or sha not in self.commits:
                continue
            seen.append(sha)
            queue.extend(self.commits[sha].parents)
        return seen

    def merge_base(self, base: str, head: str) -> str | None:
        base_line = set(self.ancestors(base))
        return next((sha for sha in self.ancestors(head) if sha in base_line), None)


def _git_hash(kind: str, body: bytes) -> str:
    header = f"{kind} {len(body)}".encode() + b"\0"
    return hashlib.sha1(header + body, usedforsecurity=False).hexdigest()


def _tree_sort_key(entry: TreeEntry) -> bytes:
    # git sorts directories as if their name ended with "/"
    return (entry.name + ("/" if entry.type == "tree" else "")).encode()
