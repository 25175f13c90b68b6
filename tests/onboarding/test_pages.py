"""Pages: the free scan's bad inputs, sign-in required, CSRF on forms, friendly errors."""

from __future__ import annotations

import pytest
from django.test import Client

from checks.models import ScanJob
from fortify_github.scanning import ScanMode


@pytest.mark.django_db
@pytest.mark.parametrize(("entered", "reason"), [
    ("", "Enter a repository as owner/name"),
    ("not a repo", "Enter a repository as owner/name"),
    ("../../etc/passwd", "Enter a repository as owner/name"),
    ("octocat/no-such-repo", "GitHub has no repository octocat/no-such-repo"),
    ("mona-contrib/secret-stuff", "GitHub has no repository mona-contrib/secret-stuff"),
])
def test_free_scan_bad_input_is_refused_with_a_reason(client, synced, sign_in, entered, reason):
    synced.state.create_repository("mona-contrib", "secret-stuff", files={"a.py": "x = 1\n"})
    sign_in("octocat")
    response = client.post("/onboarding/scan", {"other": entered})
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not ScanJob.objects.exists()


@pytest.mark.django_db
def test_free_scan_accepts_a_github_url_and_lists_your_repositories(client, synced, sign_in):
    sign_in("octocat")
    page = client.get("/onboarding/scan").content.decode()
    assert 'value="fortify-demo/payments-api"' in page and "csrfmiddlewaretoken" in page
    response = client.post("/onboarding/scan",
                           {"other": "https://github.com/octocat/hello-world"})
    assert response.status_code == 302
    scan = ScanJob.objects.get()
    assert scan.trigger == ScanJob.Trigger.FREE_SCAN and scan.mode == ScanMode.FULL
    assert scan.repository.full_name == "octocat/hello-world"
    assert client.get(response["Location"]).status_code == 200
    # Nobody else sees it, signed in or not.
    assert Client().get(response["Location"]).status_code == 302
    other = Client()
    other.force_login(type(scan.requested_by).objects.create(username="other"))
    assert other.get(response["Location"]).status_code == 404


@pytest.mark.django_db
def test_onboarding_pages_need_sign_in(client):
    for path in ("/onboarding/", "/onboarding/scan"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(
            "/auth/sign-in/?next=")


@pytest.mark.django_db
def test_forms_refuse_a_post_without_csrf(client, synced, sign_in):
    sign_in("octocat")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = client.cookies  # the same signed-in session, without the token
    response = csrf_client.post("/onboarding/scan", {"other": "octocat/hello-world"})
    assert response.status_code == 403
    assert "This form expired" in response.content.decode()
    assert not ScanJob.objects.exists()


@pytest.mark.django_db
def test_friendly_error_pages(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'href="/auth/sign-in/' in response.content.decode()  # the base template
    from django.template.loader import render_to_string

    assert "Something went wrong on our side" in render_to_string("500.html")
    assert "can't open this page" in render_to_string("403.html")
