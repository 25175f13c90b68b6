"""Promoter portal API: event set-up, pricing rules, payouts, guest lists, media."""
import ast
import asyncio
import operator
import os
import random
import secrets
import shutil
import string
import uuid
from html import escape as html_escape
from pathlib import Path
from typing import Optional
from urllib.parse import quote, urlparse

import httpx
import requests
from fastapi import APIRouter, Cookie, Depends, File, Form, Header, HTTPException, Request, Response, UploadFile
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Template
from pydantic import BaseModel

from ..db import get_session
from .models import Event, GuestList, Payout, PricingRule, Promoter

router = APIRouter(prefix="/promoter", tags=["promoter"])

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "/srv/tickets/media"))
STATEMENTS_DIR = "/srv/tickets/payout-statements"
GUESTLIST_DIR = Path("/srv/tickets/guestlists")
IMAGE_HOSTS = {"images.unsplash.com", "cdn.tixhub-media.example", "res.cloudinary.com"}
PAYMENT_API = "https://api.payments-provider.example/v3"


class ImageImport(BaseModel):
    event_id: int
    image_url: str


class WebhookTest(BaseModel):
    callback_url: str
    secret_hint: Optional[str] = None


class PricingRuleIn(BaseModel):
    event_id: int
    name: str
    expression: str


def current_promoter(request: Request, promoter_sid: Optional[str] = Cookie(None)) -> Promoter:
    promoter = Promoter.from_session(promoter_sid)
    if promoter is None:
        raise HTTPException(status_code=401)
    return promoter


# --- portal sessions -----------------------------------------------------------------

@router.post("/login")
def promoter_login(response: Response, email: str = Form(...), password: str = Form(...)):
    promoter = Promoter.authenticate(email, password)
    if promoter is None:
        raise HTTPException(status_code=401)
    sid = promoter.start_session()
    # vuln: CWE-614
    response.set_cookie(key="promoter_sid", value=sid, httponly=True, secure=False, samesite="lax")
    return {"ok": True}


@router.post("/login/v2")
def promoter_login_v2(response: Response, email: str = Form(...), password: str = Form(...)):
    promoter = Promoter.authenticate(email, password)
    if promoter is None:
        raise HTTPException(status_code=401)
    sid = promoter.start_session()
    # safe: CWE-614
    response.set_cookie(key="promoter_sid", value=sid, httponly=True, secure=True, samesite="lax")
    return {"ok": True}


@router.post("/door-staff/invite")
def invite_door_staff(email: str = Form(...), promoter: Promoter = Depends(current_promoter)):
    # vuln: CWE-330
    invite_code = "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
    promoter.invite_staff(email, invite_code)
    return {"invited": email}


@router.post("/door-staff/invite/v2")
def invite_door_staff_v2(email: str = Form(...), promoter: Promoter = Depends(current_promoter)):
    # safe: CWE-330
    invite_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
    promoter.invite_staff(email, invite_code)
    return {"invited": email}


@router.get("/events/{event_id}/featured-order")
def featured_order(event_id: int, promoter: Promoter = Depends(current_promoter)):
    acts = list(promoter.event(event_id).supporting_acts)
    # safe: CWE-330
    random.shuffle(acts)
    return {"acts": [a.name for a in acts]}


# --- media ---------------------------------------------------------------------------

@router.post("/events/{event_id}/poster")
async def upload_poster(event_id: int, file: UploadFile = File(...), promoter: Promoter = Depends(current_promoter)):
    event_dir = MEDIA_ROOT / "posters" / str(event_id)
    event_dir.mkdir(parents=True, exist_ok=True)
    # vuln: CWE-22
    with open(event_dir / file.filename, "wb") as out:
        shutil.copyfileobj(file.file, out)
    return {"stored": file.filename}


@router.post("/events/{event_id}/poster/v2")
async def upload_poster_v2(event_id: int, file: UploadFile = File(...), promoter: Promoter = Depends(current_promoter)):
    event_dir = MEDIA_ROOT / "posters" / str(event_id)
    event_dir.mkdir(parents=True, exist_ok=True)
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in {".jpg", ".jpeg", ".png", ".webp"}:
        raise HTTPException(status_code=415)
    stored_name = f"{uuid.uuid4().hex}{suffix}"
    # safe: CWE-22
    with open(event_dir / stored_name, "wb") as out:
        shutil.copyfileobj(file.file, out)
    return {"stored": stored_name}


@router.post("/events/image-import")
def import_event_image(body: ImageImport, promoter: Promoter = Depends(current_promoter)):
    # vuln: CWE-918
    resp = httpx.get(body.image_url, timeout=10.0, follow_redirects=True)
    resp.raise_for_status()
    promoter.event(body.event_id).save_image(resp.content)
    return {"bytes": len(resp.content)}


@router.post("/events/image-import/v2")
def import_event_image_v2(body: ImageImport, promoter: Promoter = Depends(current_promoter)):
    parsed = urlparse(body.image_url)
    if parsed.scheme != "https" or parsed.hostname not in IMAGE_HOSTS:
        raise HTTPException(status_code=400, detail="unsupported image host")
    # safe: CWE-918
    resp = httpx.get(body.image_url, timeout=10.0, follow_redirects=False)
    resp.raise_for_status()
    promoter.event(body.event_id).save_image(resp.content)
    return {"bytes": len(resp.content)}


# --- payouts -------------------------------------------------------------------------

@router.get("/payouts/statements/{filename}")
def download_statement(filename: str, promoter: Promoter = Depends(current_promoter)):
    path = os.path.join(STATEMENTS_DIR, str(promoter.id), filename)
    # vuln: CWE-22
    return FileResponse(path, media_type="application/pdf")


@router.get("/payouts/statements/v2/{filename}")
def download_statement_v2(filename: str, promoter: Promoter = Depends(current_promoter)):
    base = Path(STATEMENTS_DIR, str(promoter.id)).resolve()
    target = (base / filename).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise HTTPException(status_code=404)
    # safe: CWE-22
    return FileResponse(target, media_type="application/pdf")


@router.get("/payouts/{payout_id}/provider-status")
def payout_provider_status(payout_id: int, promoter: Promoter = Depends(current_promoter)):
    payout = Payout.for_promoter(promoter.id, payout_id)
    # safe: CWE-918
    r = requests.get(f"{PAYMENT_API}/transfers/{quote(payout.transfer_ref, safe='')}", timeout=10)
    return r.json()


@router.get("/payouts/{payout_id}/bank-check")
def payout_bank_check(payout_id: int, bank_api: str = Header(..., alias="X-Bank-Api"), promoter: Promoter = Depends(current_promoter)):
    payout = Payout.for_promoter(promoter.id, payout_id)
    # vuln: CWE-918
    r = requests.get(f"{bank_api}/accounts/{payout.iban}/verify", timeout=10)
    return r.json()


# --- webhooks ------------------------------------------------------------------------

@router.post("/webhooks/test")
async def test_webhook(body: WebhookTest, promoter: Promoter = Depends(current_promoter)):
    sample = {"type": "order.created", "promoter_id": promoter.id, "test": True}
    async with httpx.AsyncClient(timeout=5.0) as client:
        # vuln: CWE-918
        r = await client.post(body.callback_url, json=sample)
    return {"status": r.status_code}


@router.post("/webhooks/test/v2")
async def test_webhook_v2(body: WebhookTest, promoter: Promoter = Depends(current_promoter)):
    registered = promoter.registered_webhook_url()
    if registered is None:
        raise HTTPException(status_code=404)
    sample = {"type": "order.created", "promoter_id": promoter.id, "test": True}
    async with httpx.AsyncClient(timeout=5.0) as client:
        # safe: CWE-918
        r = await client.post("https://hooks.tixhub.example/relay", json={"target_id": registered.id, "payload": sample})
    return {"status": r.status_code}


# --- pricing rules -------------------------------------------------------------------

_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


@router.post("/pricing/preview")
def preview_pricing_rule(rule: PricingRuleIn, promoter: Promoter = Depends(current_promoter)):
    event = promoter.event(rule.event_id)
    prices = {}
    for tier in event.tiers:
        scope = {"price": tier.face_value, "sold": tier.sold, "capacity": tier.capacity}
        # vuln: CWE-95
        prices[tier.name] = eval(rule.expression, {"__builtins__": {}}, scope)
    return {"preview": prices}


@router.post("/pricing/preview/v2")
def preview_pricing_rule_v2(rule: PricingRuleIn, promoter: Promoter = Depends(current_promoter)):
    # expression format: "<op> <number>", e.g. "* 1.15"
    op_symbol, _, amount = rule.expression.partition(" ")
    if op_symbol not in _OPS:
        raise HTTPException(status_code=400)
    # safe: CWE-95
    factor = ast.literal_eval(amount.strip())
    if not isinstance(factor, (int, float)):
        raise HTTPException(status_code=400)
    event = promoter.event(rule.event_id)
    return {"preview": {t.name: _OPS[op_symbol](t.face_value, factor) for t in event.tiers}}


@router.post("/events/{event_id}/dynamic-pricing")
def save_dynamic_pricing(event_id: int, request_body: dict, promoter: Promoter = Depends(current_promoter)):
    source = request_body.get("adjuster", "def adjust(price, demand):\n    return price\n")
    namespace = {}
    # vuln: CWE-94
    exec(compile(source, f"<pricing-{event_id}>", "exec"), namespace)
    adjusted = namespace["adjust"](100.0, 0.5)
    PricingRule.save(event_id=event_id, promoter_id=promoter.id, source=source)
    return {"sample": adjusted}


class ConfirmationTemplate(BaseModel):
    event_id: int
    template: str


@router.post("/events/confirmation-preview", response_class=HTMLResponse)
def confirmation_preview(body: ConfirmationTemplate, promoter: Promoter = Depends(current_promoter)):
    event = promoter.event(body.event_id)
    # vuln: CWE-94
    html = Template(body.template).render(event_title=event.title, doors_open=event.doors_open, venue=event.venue_name)
    return HTMLResponse(html)


@router.post("/events/confirmation-preview/v2", response_class=HTMLResponse)
def confirmation_preview_v2(body: ConfirmationTemplate, promoter: Promoter = Depends(current_promoter)):
    event = promoter.event(body.event_id)
    # safe: CWE-94
    text = string.Template(body.template).safe_substitute(event_title=event.title, doors_open=event.doors_open, venue=event.venue_name)
    return HTMLResponse(f"<pre>{html_escape(text)}</pre>")


# --- guest lists ---------------------------------------------------------------------

@router.get("/events/{event_id}/guestlist/{list_name}", response_class=HTMLResponse)
def guestlist_page(event_id: int, list_name: str, promoter: Promoter = Depends(current_promoter)):
    gl = GuestList.get(event_id, list_name)
    rows = "".join(f"<tr><td>{g.name}</td><td>{g.plus_ones}</td></tr>" for g in gl.guests)
    # vuln: CWE-79
    return HTMLResponse(f"<h1>Guest list: {list_name}</h1><table>{rows}</table>")


@router.get("/events/{event_id}/guestlist/{list_name}/export")
def guestlist_export(event_id: int, list_name: str, promoter: Promoter = Depends(current_promoter)):
    # safe: CWE-22
    path = GUESTLIST_DIR / str(event_id) / f"{uuid.UUID(list_name).hex}.csv"
    return FileResponse(path, media_type="text/csv")


@router.get("/events/{event_id}/checkin-sample")
async def checkin_sample(event_id: int, promoter: Promoter = Depends(current_promoter)):
    scans = promoter.event(event_id).recent_scans(limit=1000)
    # safe: CWE-338
    sample = random.sample(scans, k=min(25, len(scans)))
    return {"audit_sample": [s.ticket_ref for s in sample]}


@router.post("/events/{event_id}/sync-retry")
async def sync_retry(event_id: int, promoter: Promoter = Depends(current_promoter)):
    for attempt in range(5):
        if await promoter.event(event_id).push_to_venue_system():
            return {"attempts": attempt + 1}
        # safe: CWE-330
        await asyncio.sleep(min(30, 2 ** attempt) + random.uniform(0, 1.5))
    raise HTTPException(status_code=502)
