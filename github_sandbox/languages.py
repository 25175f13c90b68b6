"""Language detection by file extension, enough for `GET /repos/{owner}/{repo}/languages`."""

from __future__ import annotations

from pathlib import PurePosixPath

EXTENSIONS = {
    ".py": "Python", ".js": "JavaScript", ".mjs": "JavaScript", ".jsx": "JavaScript",
    ".ts": "TypeScript", ".tsx": "TypeScript", ".go": "Go", ".java": "Java", ".rb": "Ruby",
    ".php": "PHP", ".cs": "C#", ".c": "C", ".h": "C", ".cpp": "C++", ".rs": "Rust",
    ".kt": "Kotlin", ".swift": "Swift", ".html": "HTML", ".css": "CSS", ".sh": "Shell",
    ".sql": "SQL", ".dockerfile": "Dockerfile",
}


def language_of(path: str) -> str | None:
    name = PurePosixPath(path).name
    if name == "Dockerfile":
        return "Dockerfile"
    return EXTENSIONS.get(PurePosixPath(path).suffix.lower())


def language_bytes(files: dict[str, bytes]) -> dict[str, int]:
    """Bytes of code per language, largest first, like GitHub's linguist answer."""
    totals: dict[str, int] = {}
    for path, data in files.items():
        language = language_of(path)
        if language:
            totals[language] = totals.get(language, 0) + len(data)
    return dict(sorted(totals.items(), key=lambda item: -item[1]))
