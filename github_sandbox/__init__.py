"""A local stand-in for github.com and api.github.com, used by the tests and for demos.

It is GitHub, not us: nothing here imports the product.
"""

from __future__ import annotations

from .server import SandboxServer
from .state import GitHubState

__all__ = ["GitHubState", "SandboxServer"]
