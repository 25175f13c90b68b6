"""What the pipeline itself deliberately ignores (each app lists its own in its handlers)."""

from __future__ import annotations

from webhooks.routing import router

# GitHub's hello when the hook is created or its settings change; the receiver answers it.
router.ignore("ping", reason="ping: nothing to process")
