"""The webhook router: apps subscribe handlers to ``(event, action)``; the router knows none of
them.

    from webhooks.routing import router

    @router.on("installation", "created", "deleted")  # no action = every action of the event
    def installation_changed(event: WebhookEvent) -> None: ...

Apps keep their handlers in ``<app>/handlers.py`` and import that module in
``AppConfig.ready()``. The same module lists what the app deliberately ignores,
``router.ignore("pull_request", "labeled", reason="does not change the code")``, and may add
a step that runs once before the handlers of every event, ``@router.before_handlers``.
An ignore entry that a handler shadows could never take effect: registering both raises
:class:`RoutingError`, whichever comes first.

Handlers must be idempotent: GitHub may deliver an event twice and an operator may replay
it. Within one processing run a handler that already succeeded is not run again when the
event is retried for another handler's transient error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webhooks.models import WebhookEvent

Handler = Callable[["WebhookEvent"], None]
# A step run once before the handlers of every handled event (e.g. ``installations`` makes
# sure the installation and repository rows exist). It returns ``None`` to go on, or a reason
# to store the event as ignored without running any handler; it raises like a handler does.
PreDispatch = Callable[["WebhookEvent"], str | None]
Key = tuple[str, str | None]

NO_HANDLER_REASON = "no handler registered"


class RoutingError(Exception):
    """A subscription that contradicts another: raised at start-up, when apps register."""


def handler_name(handler: Callable[..., object]) -> str:
    """A stable name for a handler: its module and qualified name."""
    return f"{handler.__module__}.{getattr(handler, '__qualname__', repr(handler))}"


class Router:
    """Maps ``(event, action)`` to handlers; ``action=None`` subscribes to every action."""

    def __init__(self, ignored: dict[Key, str] | None = None) -> None:
        self._handlers: dict[Key, list[Handler]] = {}
        self._before: list[PreDispatch] = []
        self.ignored: dict[Key, str] = {}
        for (event, action), reason in (ignored or {}).items():
            self.ignore(event, *((action,) if action else ()), reason=reason)

    def on(self, event: str, *actions: str) -> Callable[[Handler], Handler]:
        """Decorator registering a plain function ``handler(event) -> None``."""

        def decorator(handler: Handler) -> Handler:
            self.register(handler, event, *actions)
            return handler

        return decorator

    def register(self, handler: Handler, event: str, *actions: str) -> None:
        for action in actions or (None,):
            shadowed = self._ignores_shadowed_by((event, action))
            if shadowed:
                raise RoutingError(
                    f"{handler_name(handler)} handles {_label((event, action))}, which is "
                    f"also ignored on purpose ({', '.join(map(_label, shadowed))}): remove "
                    "the ignore entry or the handler")
            registered = self._handlers.setdefault((event, action), [])
            # Re-importing a handlers module (autoreload, tests) must not register it twice.
            if handler_name(handler) not in {handler_name(h) for h in registered}:
                registered.append(handler)

    def ignore(self, event: str, *actions: str, reason: str) -> None:
        """Declare ``(event, action)`` handled by doing nothing, with why (stored on the row)."""
        if not reason.strip():
            raise RoutingError(f"ignoring {event} needs a reason")
        for action in actions or (None,):
            key = (event, action)
            handled = [k for k in ((event, None), key) if self._handlers.get(k)]
            if action is None:
                handled += [k for k in self._handlers if k[0] == event and self._handlers[k]]
            if handled:
                raise RoutingError(
                    f"{_label(key)} is ignored on purpose but has handlers "
                    f"({', '.join(handler_name(h) for k in handled for h in self._handlers[k])})"
                    ": the ignore entry could never take effect")
            self.ignored[key] = reason

    def before_handlers(self, step: PreDispatch) -> PreDispatch:
        """Decorator registering a pre-dispatch step (see :data:`PreDispatch`)."""
        if handler_name(step) not in {handler_name(s) for s in self._before}:
            self._before.append(step)
        return step

    def pre_dispatch_steps(self) -> list[PreDispatch]:
        return list(self._before)

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

    def shadowed_ignores(self) -> list[Key]:
        """Ignore entries a handler makes unreachable (empty unless someone bypassed the
        checks in :meth:`register` and :meth:`ignore`)."""
        return [key for key in self.ignored if self.handlers_for(*key) and (
            key[1] is not None or (key[0], None) in self._handlers)]

    def subscriptions(self) -> dict[Key, list[str]]:
        """What is registered, by name (for the admin, logs and tests)."""
        return {key: [handler_name(h) for h in handlers]
                for key, handlers in sorted(self._handlers.items(), key=lambda kv: (
                    kv[0][0], kv[0][1] or ""))}

    def _ignores_shadowed_by(self, key: Key) -> list[Key]:
        event, action = key
        if action is None:
            return [k for k in self.ignored if k[0] == event]
        return [k for k in ((event, action),) if k in self.ignored]


def _label(key: Key) -> str:
    return f"{key[0]}.{key[1]}" if key[1] else f"{key[0]} (every action)"


router = Router()
