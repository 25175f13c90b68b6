"""Request-size limits per view, and who may read /metrics."""

from __future__ import annotations

import pytest

from tests.support.webhooks import post_webhook


@pytest.mark.django_db
def test_ordinary_views_keep_djangos_upload_limit(client):
    """Only the webhook receiver takes large bodies: a 3 MB admin login is refused at once."""
    body = {"username": "x", "password": "y" * (3 * 1024 * 1024)}
    response = client.post("/admin/login/", body)
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_receiver_still_takes_a_large_delivery(client):
    payload = {"action": "opened", "zen": "z" * (3 * 1024 * 1024)}
    response = post_webhook(client, "meta", payload)
    assert response.status_code == 202, response.content


@pytest.mark.django_db
def test_metrics_from_an_allowed_network(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"github_active_installations" in response.content


@pytest.mark.django_db
def test_metrics_from_elsewhere_need_the_token(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.METRICS_BEARER_TOKEN = "scrape-token"
    refused = client.get("/metrics")
    assert refused.status_code == 403
    assert "METRICS_BEARER_TOKEN" in refused.json()["error"]
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 403
    allowed = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token")
    assert allowed.status_code == 200


@pytest.mark.django_db
def test_staff_may_read_metrics(admin_client, settings):
    settings.METRICS_ALLOWED_NETWORKS = []
    assert admin_client.get("/metrics").status_code == 200


def test_a_bad_network_setting_is_a_system_check_error(settings):
    from fortify_github.system_checks import metrics_networks

    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "not-a-network"]
    errors = metrics_networks(None)
    assert [error.id for error in errors] == ["fortify.E002"]
    assert "'not-a-network'" in errors[0].msg


@pytest.mark.django_db
def test_unknown_pages_are_friendly_in_development_too(client, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"URL patterns" not in response.content and b"urlpatterns" not in response.content
    settings.DEBUG_TECHNICAL_404 = True  # the developer asks for Django's page
    assert b"URL patterns" in client.get("/no-such-page").content
