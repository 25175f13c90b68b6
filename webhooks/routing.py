"""The webhook router: apps subscribe handlers to ``(event, action)``; the router knows none of
them.

    from webhooks.routing import router

    @router.on("installation", "created", "deleted")  # no action = every action of the event
    def installation_changed(event: WebhookEvent) -> None: ...

Apps keep their handlers in ``<app>/handlers.py`` and import that module in
``AppConfig.ready()``. Handlers must be idempotent: GitHub may deliver an event twice and an
operator may replay it. Within one processing run a handler that already succeeded is not run
again when the event is retried for another handler's transient error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webhooks.models import WebhookEvent

Handler = Callable[["WebhookEvent"], None]

# Events and actions the App receives and deliberately does nothing with, each with why.
# A registered handler always wins over this list; an event that is neither handled nor
# listed here is stored as ignored too, with the reason "no handler registered".
IGNORED: dict[tuple[str, str | None], str] = {
    # GitHub's hello when the hook is created or its settings change; answered by the receiver.
    ("ping", None): "ping: nothing to process",
    # Our own check runs being created and finished: reacting would only echo ourselves.
    ("check_run", "created"): "our own check run was created",
    ("check_run", "completed"): "our own check run completed",
    # A suite finishing is the sum of our own runs finishing.
    ("check_suite", "completed"): "check suite completed",
    # Pull request changes that neither change the code nor its readiness for review.
    ("pull_request", "assigned"): "does not change the code",
    ("pull_request", "unassigned"): "does not change the code",
    ("pull_request", "labeled"): "does not change the code",
    ("pull_request", "unlabeled"): "does not change the code",
    ("pull_request", "edited"): "title/body/base edits do not change the head commit",
    ("pull_request", "review_requested"): "does not change the code",
    ("pull_request", "review_request_removed"): "does not change the code",
    ("pull_request", "locked"): "does not change the code",
    ("pull_request", "unlocked"): "does not change the code",
    ("pull_request", "milestoned"): "does not change the code",
    ("pull_request", "demilestoned"): "does not change the code",
    ("pull_request", "auto_merge_enabled"): "does not change the code",
    ("pull_request", "auto_merge_disabled"): "does not change the code",
    ("pull_request", "enqueued"): "merge queue state is not scanned",
    ("pull_request", "dequeued"): "merge queue state is not scanned",
}

NO_HANDLER_REASON = "no handler registered"


def handler_name(handler: Handler) -> str:
    """A stable name for a handler: its module and qualified name."""
    return f"{handler.__module__}.{getattr(handler, '__qualname__', repr(handler))}"


class Router:
    """Maps ``(event, action)`` to handlers; ``action=None`` subscribes to every action."""

    def __init__(self, ignored: dict[tuple[str, str | None], str] | None = None) -> None:
        self._handlers: dict[tuple[str, str | None], list[Handler]] = {}
        self.ignored = dict(IGNORED if ignored is None else ignored)

    def on(self, event: str, *actions: str) -> Callable[[Handler], Handler]:
        """Decorator registering a plain function ``handler(event) -> None``."""

        def decorator(handler: Handler) -> Handler:
            self.register(handler, event, *actions)
            return handler

        return decorator

    def register(self, handler: Handler, event: str, *actions: str) -> None:
        for action in actions or (None,):
            registered = self._handlers.setdefault((event, action), [])
            # Re-importing a handlers module (autoreload, tests) must not register it twice.
            if handler_name(handler) not in {handler_name(h) for h in registered}:
                registered.append(handler)

    def unregister(self, handler: Handler) -> None:
        """Remove ``handler`` from every subscription (tests register and unregister)."""
        name = handler_name(handler)
        for key in list(self._handlers):
            self._handlers[key] = [h for h in self._handlers[key] if handler_name(h) != name]
            if not self._handlers[key]:
                del self._handlers[key]

    def handlers_for(self, event: str, action: str | None) -> list[Handler]:
        """Handlers for every action of ``event`` first, then those for this action."""
        found: list[Handler] = []
        for key in ((event, None), (event, action or None)):
            for handler in self._handlers.get(key, []):
                if handler not in found:
                    found.append(handler)
        return found

    def ignored_reason(self, event: str, action: str | None) -> str | None:
        """Why an unhandled ``(event, action)`` is ignored, if it is listed on purpose."""
        return self.ignored.get((event, action or None)) or self.ignored.get((event, None))

    def subscriptions(self) -> dict[tuple[str, str | None], list[str]]:
        """What is registered, by name (for the admin, logs and tests)."""
        return {key: [handler_name(h) for h in handlers]
                for key, handlers in sorted(self._handlers.items(), key=lambda kv: (
                    kv[0][0], kv[0][1] or ""))}


router = Router()
