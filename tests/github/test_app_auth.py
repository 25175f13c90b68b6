"""The App JWT and the private key in every form operators give it (issue 4, part 6)."""

from __future__ import annotations

import base64
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from fortify_github.github import app_client
from fortify_github.github.auth import create_app_jwt
from fortify_github.github.keys import PrivateKeyError, load_private_key
from github_sandbox import SandboxServer


def _claims(server: SandboxServer, token: str) -> dict:
    return jwt.decode(token, server.app.public_key_pem, algorithms=["RS256"],
                      options={"verify_exp": False, "verify_iat": False, "verify_iss": False})


def test_jwt_claims_and_lifetime(gh: SandboxServer) -> None:
    before = int(time.time())
    token = create_app_jwt()
    after = int(time.time())
    claims = _claims(gh, token)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert claims["iss"] == str(gh.app.id)
    assert before - 60 <= claims["iat"] <= after - 60  # backdated a minute for clock drift
    assert claims["exp"] - claims["iat"] <= 600  # GitHub's 10-minute maximum
    assert claims["exp"] > after + 5 * 60  # yet long enough to be reused for a while
    # GitHub (the sandbox) accepts it.
    assert app_client().get_app()["id"] == gh.app.id
    assert gh.state.requests[-1]["caller"] == "app"


def test_jwt_issuer_can_be_the_client_id(gh: SandboxServer, settings) -> None:
    settings.GITHUB_APP_JWT_ISSUER = "client_id"
    assert _claims(gh, create_app_jwt())["iss"] == gh.app.client_id
    assert app_client().get_app()["slug"] == gh.app.slug


def _pem(server: SandboxServer) -> str:
    return server.app.private_key_pem


@pytest.mark.parametrize("form", ["pem", "literal_newlines", "base64", "quoted", "path"])
def test_every_private_key_form_signs_a_jwt_github_accepts(gh: SandboxServer, settings,
                                                           tmp_path, form: str) -> None:
    pem = _pem(gh)
    settings.GITHUB_APP_PRIVATE_KEY_PATH = ""
    if form == "pem":
        settings.GITHUB_APP_PRIVATE_KEY = pem
    elif form == "literal_newlines":
        settings.GITHUB_APP_PRIVATE_KEY = pem.strip().replace("\n", "\\n")
    elif form == "base64":
        settings.GITHUB_APP_PRIVATE_KEY = base64.b64encode(pem.encode()).decode()
    elif form == "quoted":
        settings.GITHUB_APP_PRIVATE_KEY = '"' + pem.strip().replace("\n", "\\n") + '"'
    else:
        key_file = tmp_path / "app.pem"
        key_file.write_text(pem)
        settings.GITHUB_APP_PRIVATE_KEY = ""
        settings.GITHUB_APP_PRIVATE_KEY_PATH = str(key_file)
    assert app_client().get_app()["id"] == gh.app.id


def test_pkcs8_key_loads(gh: SandboxServer) -> None:
    key = serialization.load_pem_private_key(_pem(gh).encode(), password=None)
    pkcs8 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode()
    assert load_private_key(pem=pkcs8).key_size == key.key_size


@pytest.mark.parametrize(("pem", "path", "variable"), [
    ("-----BEGIN RSA PRIVATE KEY-----\nnot really a key\n-----END RSA PRIVATE KEY-----",
     "", "GITHUB_APP_PRIVATE_KEY"),
    ("c2VjcmV0LWJ1dC1ub3QtYS1rZXk=", "", "GITHUB_APP_PRIVATE_KEY"),
    ("", "/nonexistent/fortify/app.pem", "GITHUB_APP_PRIVATE_KEY_PATH"),
    ("", "", "GITHUB_APP_PRIVATE_KEY"),
])
def test_a_broken_key_gives_a_clear_error_naming_the_variable(pem: str, path: str,
                                                              variable: str) -> None:
    with pytest.raises(PrivateKeyError) as caught:
        load_private_key(pem=pem, path=path)
    message = str(caught.value)
    assert variable in message
    assert "not really a key" not in message and "c2VjcmV0" not in message


def test_a_broken_key_fails_the_call_before_anything_is_sent(gh: SandboxServer,
                                                             settings) -> None:
    settings.GITHUB_APP_PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\\nbroken\\n-----END"
    sent = len(gh.state.requests)
    with pytest.raises(PrivateKeyError, match="GITHUB_APP_PRIVATE_KEY"):
        app_client().get_app()
    assert len(gh.state.requests) == sent


def test_a_jwt_signed_with_another_key_is_rejected_as_unauthorized(gh: SandboxServer,
                                                                  settings) -> None:
    from fortify_github.github.errors import Unauthorized
    from tests.support.keys import rsa_private_key_pem

    settings.GITHUB_APP_PRIVATE_KEY = rsa_private_key_pem()
    with pytest.raises(Unauthorized):
        app_client().get_app()
    assert len(gh.state.requests_to("GET", "/app")) == 1  # a 401 with a JWT is not retried
