"""Scans and findings a person may see: those of the installations they are members of
(``installations.access``); anything else is answered as if it did not exist."""

from __future__ import annotations

from django.db.models import QuerySet

from checks.models import Finding, ScanJob
from installations.access import installations_for


def scans_for(user) -> QuerySet[ScanJob]:
    return ScanJob.objects.filter(repository__installation__in=installations_for(user))


def findings_for(user) -> QuerySet[Finding]:
    return Finding.objects.filter(scan__repository__installation__in=installations_for(user))
