from django.apps import AppConfig


class GitHubSandboxConfig(AppConfig):
    """Only so ``manage.py sandbox`` is found; the sandbox itself is plain Werkzeug."""

    name = "github_sandbox"
    verbose_name = "GitHub sandbox (development)"
