"""Operators find a delivery by GUID or repository, read its payload, and replay it."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from webhooks.models import WebhookEvent
from webhooks.services import webhook_events_replay


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("delivery_id", "event", "action", "status", "repository_full_name",
                    "installation_id", "attempts", "received_at", "duration_ms")
    list_filter = ("status", "event")
    search_fields = ("=delivery_id", "repository_full_name", "=repository_id")
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
    actions = ["replay_selected"]
    readonly_fields = [field.name for field in WebhookEvent._meta.fields
                       if field.name != "payload"] + ["payload_pretty"]
    exclude = ("payload",)  # shown read-only, pretty-printed, as payload_pretty
    show_full_result_count = False  # counting a large table on every page view is slow

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # events come from GitHub only

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a stored delivery is a record of what GitHub sent: view only

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.change_webhookevent")

    @admin.display(description="payload")
    def payload_pretty(self, obj: WebhookEvent) -> str:
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>",
                           json.dumps(obj.payload, indent=2, sort_keys=True))

    @admin.action(description="Replay selected events", permissions=["replay"])
    def replay_selected(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        results = webhook_events_replay(queryset.order_by("received_at"))
        queued = sum(1 for r in results if not r.after.startswith("skipped"))
        skipped = len(results) - queued
        self.message_user(request, f"Replaying {queued} event(s)"
                          + (f"; {skipped} skipped (being processed)" if skipped else "") + ".",
                          messages.SUCCESS)
