"""Partner integrations: payment callbacks, resale marketplace, venue systems, SSO."""
import base64
import json
import logging
import os
import pickle
import xml.sax
from urllib.parse import urlparse
from urllib.request import Request as UrlRequest
from urllib.request import urlopen

import defusedxml.ElementTree as DefusedET
import jsonpickle
import jwt
import requests
import yaml
from Crypto.Cipher import AES, DES3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import APIRouter, Depends, Form, Header, HTTPException, Request
from fastapi.responses import RedirectResponse
from lxml import etree

from ..config import get_settings
from ..orders.service import OrderService
from .models import PartnerAccount, ResaleListing, VenueSystem

log = logging.getLogger(__name__)
router = APIRouter(prefix="/integrations", tags=["integrations"])

SSO_ISSUERS = {
    "staff": "https://login.tixhub-idp.example",
    "venues": "https://sso.venuegroup.example",
}
RETURN_HOSTS = {"tixhub.example", "promoters.tixhub.example", "boxoffice.tixhub.example"}


# --- payment provider ----------------------------------------------------------------

@router.post("/payments/notify")
async def payment_notification(request: Request):
    body = await request.body()
    parser = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False)
    # vuln: CWE-611
    doc = etree.fromstring(body, parser)
    ref = doc.findtext("merchantReference")
    status = doc.findtext("status")
    OrderService().record_payment_status(ref, status)
    return {"accepted": True}


@router.post("/payments/notify/v2")
async def payment_notification_v2(request: Request):
    body = await request.body()
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    # safe: CWE-611
    doc = etree.fromstring(body, parser)
    ref = doc.findtext("merchantReference")
    status = doc.findtext("status")
    OrderService().record_payment_status(ref, status)
    return {"accepted": True}


class _ChargebackHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.fields = {}
        self._current = None

    def startElement(self, name, attrs):
        self._current = name

    def characters(self, content):
        if self._current:
            self.fields[self._current] = self.fields.get(self._current, "") + content

    def endElement(self, name):
        self._current = None


@router.post("/payments/chargeback")
async def chargeback_notification(request: Request):
    handler = _ChargebackHandler()
    parser = xml.sax.make_parser()
    parser.setContentHandler(handler)
    # vuln: CWE-611
    parser.setFeature(xml.sax.handler.feature_external_ges, True)
    parser.feed(await request.body())
    parser.close()
    OrderService().open_dispute(handler.fields.get("orderRef"), handler.fields.get("reason"))
    return {"accepted": True}


@router.post("/payments/chargeback/v2")
async def chargeback_notification_v2(request: Request):
    body = await request.body()
    # safe: CWE-611
    root = DefusedET.fromstring(body)
    OrderService().open_dispute(root.findtext("orderRef"), root.findtext("reason"))
    return {"accepted": True}


def legacy_card_token(pan: str) -> str:
    key = bytes.fromhex(get_settings().legacy_vault_key)
    padded = pan.encode().ljust(24, b"\0")
    # vuln: CWE-327
    cipher = DES3.new(key, DES3.MODE_ECB)
    return base64.b64encode(cipher.encrypt(padded)).decode()


def card_token_ecb(pan: str) -> str:
    key = bytes.fromhex(get_settings().vault_key)
    padded = pan.encode().ljust(32, b"\0")
    # vuln: CWE-327
    return base64.b64encode(AES.new(key, AES.MODE_ECB).encrypt(padded)).decode()


def card_token(pan: str) -> str:
    key = bytes.fromhex(get_settings().vault_key)
    nonce = os.urandom(12)
    # safe: CWE-327
    sealed = AESGCM(key).encrypt(nonce, pan.encode(), b"card-token")
    return base64.b64encode(nonce + sealed).decode()


def card_token_gcm(pan: str) -> str:
    key = bytes.fromhex(get_settings().vault_key)
    # safe: CWE-327
    cipher = AES.new(key, AES.MODE_GCM)
    ciphertext, tag = cipher.encrypt_and_digest(pan.encode())
    return base64.b64encode(cipher.nonce + tag + ciphertext).decode()


# --- resale marketplace --------------------------------------------------------------

def _partner(api_key: str) -> PartnerAccount:
    partner = PartnerAccount.by_api_key(api_key)
    if partner is None:
        raise HTTPException(status_code=401)
    return partner


@router.post("/resale/listings")
async def resale_listings(request: Request, x_partner_key: str = Header(...)):
    partner = _partner(x_partner_key)
    raw = await request.body()
    # vuln: CWE-502
    listings = jsonpickle.decode(raw.decode("utf-8"))
    for item in listings:
        ResaleListing.upsert(partner.id, item)
    return {"count": len(listings)}


@router.post("/resale/listings/v2")
async def resale_listings_v2(request: Request, x_partner_key: str = Header(...)):
    partner = _partner(x_partner_key)
    raw = await request.body()
    # safe: CWE-502
    listings = json.loads(raw.decode("utf-8"))
    for item in listings:
        ResaleListing.upsert(partner.id, item)
    return {"count": len(listings)}


@router.post("/resale/price-rules")
async def resale_price_rules(request: Request, x_partner_key: str = Header(...)):
    partner = _partner(x_partner_key)
    text = (await request.body()).decode("utf-8")
    # vuln: CWE-502
    rules = yaml.load(text, Loader=yaml.Loader)
    partner.store_price_caps(rules)
    return {"ok": True}


@router.post("/resale/price-rules/v2")
async def resale_price_rules_v2(request: Request, x_partner_key: str = Header(...)):
    partner = _partner(x_partner_key)
    text = (await request.body()).decode("utf-8")
    # safe: CWE-502
    rules = yaml.load(text, Loader=yaml.SafeLoader)
    partner.store_price_caps(rules)
    return {"ok": True}


@router.get("/resale/listings/{listing_id}/verify")
def verify_resale_listing(listing_id: str, x_partner_key: str = Header(...)):
    partner = _partner(x_partner_key)
    # safe: CWE-918
    r = requests.get("https://api.resalehub.example/v2/listings/" + requests.utils.quote(listing_id, safe=""), headers={"Authorization": f"Bearer {partner.outbound_token}"}, timeout=8)
    return r.json()


# --- venue-system webhooks -----------------------------------------------------------

@router.post("/venues/{venue_code}/state")
async def venue_state_push(venue_code: str, request: Request):
    venue = VenueSystem.get(venue_code)
    payload = await request.json()
    # vuln: CWE-502
    state = pickle.loads(base64.b64decode(payload["state"]))
    venue.apply_gate_state(state)
    return {"ok": True}


@router.post("/venues/{venue_code}/manifest")
async def venue_manifest(venue_code: str, x_manifest_location: str = Header(...)):
    venue = VenueSystem.get(venue_code)
    req = UrlRequest(x_manifest_location, headers={"User-Agent": "tixhub-sync/2.3"})
    # vuln: CWE-918
    with urlopen(req, timeout=15) as fh:
        manifest = json.load(fh)
    venue.apply_manifest(manifest)
    return {"sections": len(manifest.get("sections", []))}


@router.post("/venues/{venue_code}/manifest/v2")
async def venue_manifest_v2(venue_code: str):
    venue = VenueSystem.get(venue_code)
    req = UrlRequest(venue.manifest_url, headers={"User-Agent": "tixhub-sync/2.3"})
    # safe: CWE-918
    with urlopen(req, timeout=15) as fh:
        manifest = json.load(fh)
    venue.apply_manifest(manifest)
    return {"sections": len(manifest.get("sections", []))}


# --- SSO -----------------------------------------------------------------------------

@router.get("/sso/{tenant}/discover")
def sso_discover(tenant: str, issuer: str):
    # vuln: CWE-918
    config = requests.get(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=5).json()
    return {"authorization_endpoint": config.get("authorization_endpoint")}


@router.get("/sso/{tenant}/discover/v2")
def sso_discover_v2(tenant: str):
    issuer = SSO_ISSUERS.get(tenant)
    if issuer is None:
        raise HTTPException(status_code=404)
    # safe: CWE-918
    config = requests.get(issuer + "/.well-known/openid-configuration", timeout=5).json()
    return {"authorization_endpoint": config.get("authorization_endpoint")}


@router.post("/sso/acs")
async def saml_acs(SAMLResponse: str = Form(...), RelayState: str = Form("/")):
    xml_bytes = base64.b64decode(SAMLResponse)
    # vuln: CWE-611
    assertion = etree.fromstring(xml_bytes, etree.XMLParser(resolve_entities=True))
    ns = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
    name_id = assertion.findtext(".//saml:NameID", namespaces=ns)
    session_token = jwt.encode({"sub": name_id, "src": "saml"}, get_settings().jwt_signing_key, algorithm="HS256")
    # vuln: CWE-601
    resp = RedirectResponse(url=RelayState, status_code=303)
    resp.set_cookie("tt_sso", session_token, secure=True, httponly=True, samesite="lax")
    return resp


@router.post("/sso/acs/v2")
async def saml_acs_v2(SAMLResponse: str = Form(...), RelayState: str = Form("/")):
    xml_bytes = base64.b64decode(SAMLResponse)
    # safe: CWE-611
    assertion = DefusedET.fromstring(xml_bytes)
    ns = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
    name_id = assertion.findtext(".//saml:NameID", namespaces=ns)
    session_token = jwt.encode({"sub": name_id, "src": "saml"}, get_settings().jwt_signing_key, algorithm="HS256")
    target = urlparse(RelayState)
    if target.scheme not in ("", "https") or (target.netloc and target.hostname not in RETURN_HOSTS):
        RelayState = "/"
    # safe: CWE-601
    resp = RedirectResponse(url=RelayState, status_code=303)
    resp.set_cookie("tt_sso", session_token, secure=True, httponly=True, samesite="lax")
    return resp


@router.get("/sso/partner-login")
def partner_login(return_url: str, partner_id: int):
    token = jwt.encode({"partner": partner_id}, os.environ["PARTNER_JWT_SECRET"], algorithm="HS256")
    # vuln: CWE-601
    return RedirectResponse(f"{return_url}?token={token}")


@router.get("/sso/partner-login/v2")
def partner_login_v2(partner_id: int):
    partner = PartnerAccount.get(partner_id)
    token = jwt.encode({"partner": partner_id}, os.environ["PARTNER_JWT_SECRET"], algorithm="HS256")
    # safe: CWE-601
    return RedirectResponse(f"{partner.registered_return_url}?token={token}")


def issue_venue_api_token(venue_code: str) -> str:
    claims = {"iss": "tixhub", "sub": venue_code, "scope": "gates:write"}
    # vuln: CWE-798
    return jwt.encode(claims, "t1xhub-venue-gw-2f9c4e7a81d34b6f9e0a57c2d18b3f64", algorithm="HS256")


def issue_venue_api_token_v2(venue_code: str) -> str:
    claims = {"iss": "tixhub", "sub": venue_code, "scope": "gates:write"}
    # safe: CWE-798
    return jwt.encode(claims, os.environ["VENUE_GATEWAY_JWT_SECRET"], algorithm="HS256")
