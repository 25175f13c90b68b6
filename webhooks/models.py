"""The stored webhook delivery: the source of truth of the pipeline (a transactional outbox).

A delivery is written before GitHub gets its 2xx; the broker message that follows is only a
nudge. Anything the broker loses, the periodic requeue finds again here by its status.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WebhookEvent(models.Model):
    """One GitHub webhook delivery, unique by GitHub's delivery GUID."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        IGNORED = "ignored", "Ignored"

    delivery_id = models.CharField(
        max_length=64, unique=True,
        help_text="GitHub's X-GitHub-Delivery GUID; the same for every redelivery of an event.",
    )
    hook_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="X-GitHub-Hook-ID: the webhook that sent the delivery.",
    )
    event = models.CharField(
        max_length=64, db_index=True, help_text="X-GitHub-Event, e.g. pull_request.",
    )
    action = models.CharField(
        max_length=64, blank=True, help_text="The payload's action, e.g. opened; blank if none.",
    )
    installation_id = models.PositiveBigIntegerField(
        null=True, blank=True, db_index=True,
        help_text="GitHub id of the App installation the event belongs to, if any.",
    )
    repository_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="GitHub id of the repository, if the event has one.",
    )
    repository_full_name = models.CharField(
        max_length=255, blank=True, db_index=True,
        help_text="owner/name of the repository when the event was received.",
    )
    sender_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="GitHub id of the account that caused the event.",
    )
    sender_login = models.CharField(
        max_length=255, blank=True, help_text="Login of the account that caused the event.",
    )
    payload = models.JSONField(help_text="The payload exactly as GitHub sent it (parsed).")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING,
        help_text="Where the event is in pending → processing → completed/failed/ignored.",
    )
    status_reason = models.CharField(
        max_length=255, blank=True,
        help_text="Why the event ended as it did, e.g. why it was ignored.",
    )
    attempts = models.PositiveIntegerField(
        default=0, help_text="Processing attempts since it was received or last replayed.",
    )
    last_error = models.CharField(
        max_length=512, blank=True,
        help_text="Exception class and a short safe message; never payload data or secrets.",
    )
    handler_results = models.JSONField(
        default=dict, blank=True,
        help_text="Outcome per handler ({name: {status, error}}), so a retry skips handlers "
                  "that already succeeded.",
    )
    received_at = models.DateTimeField(
        default=timezone.now, help_text="When the receiver stored the delivery.",
    )
    next_attempt_at = models.DateTimeField(
        default=timezone.now,
        help_text="When a pending event is due; the requeue job re-enqueues overdue ones.",
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last claimed the event.",
    )
    claim_token = models.UUIDField(
        null=True, blank=True, editable=False,
        help_text="Identifies the current claim, so a worker that lost it cannot overwrite.",
    )
    processed_at = models.DateTimeField(
        null=True, blank=True, help_text="When processing last finished.",
    )
    duration_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long the last processing attempt took.",
    )
    replay_count = models.PositiveIntegerField(
        default=0, help_text="How many times an operator replayed the event.",
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="webhook_status_received"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_status_due"),
        ]

    def __str__(self) -> str:
        name = f"{self.event}.{self.action}" if self.action else self.event
        return f"{name} {self.delivery_id} ({self.status})"

    @property
    def event_name(self) -> str:
        """``event.action`` as GitHub's docs write it."""
        return f"{self.event}.{self.action}" if self.action else self.event
