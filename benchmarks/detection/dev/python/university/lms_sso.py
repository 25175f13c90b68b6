"""LMS (Canvas) and SSO (OIDC/SAML) integrations (FastAPI)."""

import os
import urllib.request
from urllib.parse import urlparse

import httpx
import hvac
import requests
from fastapi import APIRouter, Depends, Form, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, HttpUrl

from .auth import current_user, verify_id_token
from .sessions import create_portal_session

router = APIRouter(prefix="/integrations", tags=["integrations"])

CANVAS_BASE_URL = "https://canvas.campus.example.edu"
# safe: CWE-798
CANVAS_API_TOKEN = os.environ["CANVAS_API_TOKEN"]
# vuln: CWE-798
GITHUB_CLASSROOM_TOKEN = "ghp_R7vK2mQ9xTb4LwZ8nPc3Yd6Hs1Jf5Ga0Ue2N"
IDP_METADATA_URL = "https://sso.campus.example.edu/idp/shibboleth"
TRUSTED_ISSUERS = {
    "campus": "https://sso.campus.example.edu/.well-known/openid-configuration",
    "medical": "https://login.med.example.edu/.well-known/openid-configuration",
}
ALLOWED_MEDIA_HOSTS = {"media.campus.example.edu", "video.campus.example.edu"}
RETURN_TARGETS = {"dashboard": "/dashboard", "courses": "/courses", "grades": "/grades"}

vault = hvac.Client(url=os.environ.get("VAULT_ADDR", "https://vault.campus.example.edu:8200"))


def oidc_client_secret():
    # safe: CWE-798
    return vault.secrets.kv.v2.read_secret_version(path="sso/oidc-portal")["data"]["data"]["client_secret"]


class MaterialImport(BaseModel):
    course_id: int
    source_url: str


def is_local_path(target: str) -> bool:
    parsed = urlparse(target)
    return target.startswith("/") and not target.startswith("//") and "\\" not in target and not parsed.scheme and not parsed.netloc


@router.post("/materials/import")
def import_material(payload: MaterialImport, user=Depends(current_user)):
    # vuln: CWE-918
    resp = requests.get(payload.source_url, timeout=10)
    resp.raise_for_status()
    return {"course_id": payload.course_id, "bytes": len(resp.content)}


@router.post("/materials/import/v2")
def import_material_v2(payload: MaterialImport, user=Depends(current_user)):
    parsed = urlparse(payload.source_url)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_MEDIA_HOSTS:
        raise HTTPException(status_code=400, detail="Source must be a campus media URL")
    # safe: CWE-918
    resp = requests.get(payload.source_url, timeout=10, allow_redirects=False)
    resp.raise_for_status()
    return {"course_id": payload.course_id, "bytes": len(resp.content)}


@router.get("/canvas/modules/{course_id}")
def canvas_modules(course_id: int, x_lms_base_url: str = Header(...), user=Depends(current_user)):
    # vuln: CWE-918
    resp = httpx.get(f"{x_lms_base_url}/api/v1/courses/{course_id}/modules", headers={"Authorization": f"Bearer {CANVAS_API_TOKEN}"})
    return resp.json()


@router.get("/canvas/assignments/{course_id}")
def canvas_assignments(course_id: int, user=Depends(current_user)):
    # safe: CWE-918
    resp = httpx.get(f"{CANVAS_BASE_URL}/api/v1/courses/{course_id}/assignments", headers={"Authorization": f"Bearer {CANVAS_API_TOKEN}"})
    return resp.json()


@router.get("/avatar")
def avatar_proxy(url: str):
    # vuln: CWE-918
    with urllib.request.urlopen(url, timeout=5) as remote:
        data = remote.read(2_000_000)
    return JSONResponse({"size": len(data)})


@router.get("/sso/metadata")
def idp_metadata():
    # safe: CWE-918
    with urllib.request.urlopen(IDP_METADATA_URL, timeout=5) as remote:
        data = remote.read()
    return JSONResponse({"size": len(data)})


@router.get("/oidc/discover")
def oidc_discover(issuer: str):
    # vuln: CWE-918
    config = requests.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=5).json()
    return {"authorization_endpoint": config.get("authorization_endpoint")}


@router.get("/oidc/discover/v2")
def oidc_discover_v2(tenant: str):
    discovery_url = TRUSTED_ISSUERS.get(tenant)
    if discovery_url is None:
        raise HTTPException(status_code=404, detail="Unknown tenant")
    # safe: CWE-918
    config = requests.get(discovery_url, timeout=5).json()
    return {"authorization_endpoint": config.get("authorization_endpoint")}


@router.get("/sso/logout")
def sso_logout(request: Request):
    request.session.clear()
    # vuln: CWE-601
    return RedirectResponse(url=request.query_params.get("post_logout_redirect_uri", "/"))


@router.get("/sso/logout/v2")
def sso_logout_v2(request: Request, target: str = "dashboard"):
    request.session.clear()
    # safe: CWE-601
    return RedirectResponse(url=RETURN_TARGETS.get(target, "/dashboard"))


@router.post("/saml/acs")
async def saml_acs(request: Request):
    form = await request.form()
    user = verify_id_token(form["SAMLResponse"])
    request.session["user_id"] = user.id
    # vuln: CWE-601
    return RedirectResponse(form.get("RelayState", "/dashboard"), status_code=303)


@router.post("/saml/acs/v2")
async def saml_acs_v2(request: Request):
    form = await request.form()
    user = verify_id_token(form["SAMLResponse"])
    request.session["user_id"] = user.id
    relay_state = form.get("RelayState", "/dashboard")
    if not is_local_path(relay_state):
        relay_state = "/dashboard"
    # safe: CWE-601
    return RedirectResponse(relay_state, status_code=303)


@router.post("/oidc/callback")
def oidc_callback(request: Request, id_token: str = Form(...)):
    claims = verify_id_token(id_token)
    # safe: CWE-501
    request.session["user_id"] = claims.id
    response = RedirectResponse("/dashboard", status_code=303)
    session_token = create_portal_session(claims.id)
    # vuln: CWE-614
    response.set_cookie("lms_session", session_token, max_age=28800, httponly=True, samesite="lax")
    return response


@router.post("/oidc/callback/v2")
def oidc_callback_v2(request: Request, id_token: str = Form(...)):
    claims = verify_id_token(id_token)
    request.session["user_id"] = claims.id
    response = RedirectResponse("/dashboard", status_code=303)
    session_token = create_portal_session(claims.id)
    # safe: CWE-614
    response.set_cookie("lms_session", session_token, max_age=28800, secure=True, httponly=True, samesite="lax")
    return response


@router.post("/sso/token")
def store_sso_token(id_token: str = Form(...)):
    verify_id_token(id_token)
    response = JSONResponse({"ok": True})
    # vuln: CWE-1004
    response.set_cookie(key="sso_token", value=id_token, max_age=3600, secure=True, samesite="strict")
    return response


@router.post("/sso/token/v2")
def store_sso_token_v2(id_token: str = Form(...)):
    verify_id_token(id_token)
    response = JSONResponse({"ok": True})
    # safe: CWE-1004
    response.set_cookie(key="sso_token", value=id_token, max_age=3600, secure=True, httponly=True, samesite="strict")
    return response


@router.get("/impersonate")
def impersonate(request: Request, user=Depends(current_user)):
    # vuln: CWE-501
    request.session["impersonate_user"] = request.query_params["as_user"]
    return RedirectResponse("/dashboard")


@router.get("/launch/error", response_class=HTMLResponse)
def launch_error(reason: str = "unknown"):
    # vuln: CWE-79
    return HTMLResponse(content=f"<html><body><h1>LMS launch failed</h1><p>Reason: {reason}</p></body></html>", status_code=400)
