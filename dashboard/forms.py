"""Forms of the dashboard: repository settings, scan history filters, API tokens."""

from __future__ import annotations

from django import forms

from checks.models import ScanJob
from installations.models import Repository


class RepositorySettingsForm(forms.ModelForm):
    excluded_paths_text = forms.CharField(
        label="Paths never scanned", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One glob pattern per line, e.g. tests/** or docs/*.md")

    class Meta:
        model = Repository
        fields = ["failure_threshold", "scan_mode"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["excluded_paths_text"].initial = "\n".join(self.instance.excluded_paths)

    def clean_excluded_paths_text(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["excluded_paths_text"].splitlines()]
        patterns = [line for line in lines if line]
        for pattern in patterns:
            if len(pattern) > 255:
                raise forms.ValidationError(f"A pattern is at most 255 characters: {pattern[:40]}…")
            if pattern.startswith("/") or ".." in pattern.split("/"):
                raise forms.ValidationError(
                    f"{pattern!r}: patterns are relative to the repository root, without '..'.")
        if len(patterns) > 100:
            raise forms.ValidationError("At most 100 patterns.")
        return patterns


class ScanFilterForm(forms.Form):
    status = forms.ChoiceField(required=False,
                               choices=[("", "any status"), *ScanJob.Status.choices])
    conclusion = forms.ChoiceField(required=False, choices=[
        ("", "any verdict"), ("success", "success"), ("failure", "failure"),
        ("neutral", "neutral")])
    pr = forms.IntegerField(required=False, min_value=1, label="Pull request")
    branch = forms.CharField(required=False, max_length=255)

    def apply(self, scans):
        data = self.cleaned_data
        if data.get("status"):
            scans = scans.filter(status=data["status"])
        if data.get("conclusion"):
            scans = scans.filter(conclusion=data["conclusion"])
        if data.get("pr"):
            scans = scans.filter(pr_number=data["pr"])
        if data.get("branch"):
            scans = scans.filter(head_branch=data["branch"])
        return scans


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'CI export'.")


