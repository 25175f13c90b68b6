from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, GitHub OAuth identities and account linking."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
