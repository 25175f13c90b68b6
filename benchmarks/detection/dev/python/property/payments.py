"""Rent payments, invoices, payouts and pay-by-link (FastAPI)."""
import base64
import hashlib
import hmac
import html
import os
import random
import secrets
import string
import time
from decimal import Decimal

import stripe
from Crypto.Cipher import AES, DES
from Crypto.Random import get_random_bytes
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import APIRouter, Cookie, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from .auth import current_tenant, current_user
from .db import Invoice, Payout, get_db

router = APIRouter(prefix="/payments", tags=["payments"])

# vuln: CWE-798
stripe.api_key = "sk_live_51NvRtQ8Zk3LmPx2Wc9YbD4hT7eFgA0sJuK6oV1nBqR5yXiM8aHzE"
# safe: CWE-798
STRIPE_WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]

LINK_SIGNING_SALT = os.environ.get("PAYMENT_LINK_SALT", "")
BANK_KEY = base64.b64decode(os.environ.get("BANK_DETAILS_KEY", ""))
LEGACY_DES_KEY = base64.b64decode(os.environ.get("LEGACY_CARD_KEY", ""))


class PayoutAccount(BaseModel):
    account_number: str
    routing_number: str
    payout_pin: str


class PayerInfo(BaseModel):
    email: str
    invoice_id: int


def payment_link_signature(invoice_id, amount_cents):
    message = f"{invoice_id}:{amount_cents}:{LINK_SIGNING_SALT}"
    # vuln: CWE-328
    return hashlib.sha1(message.encode()).hexdigest()


def payment_link_signature_v2(invoice_id, amount_cents):
    message = f"{invoice_id}:{amount_cents}".encode()
    # safe: CWE-328
    return hmac.new(LINK_SIGNING_SALT.encode(), message, hashlib.sha256).hexdigest()


def hash_payout_pin(pin):
    # vuln: CWE-328
    return hashlib.new("md5", pin.encode("utf-8")).hexdigest()


def hash_payout_pin_v2(pin):
    salt = os.urandom(16)
    # safe: CWE-328
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, 600_000)
    return base64.b64encode(salt + digest).decode()


def encrypt_account_number_legacy(account_number):
    iv = get_random_bytes(8)
    # vuln: CWE-327
    cipher = DES.new(LEGACY_DES_KEY[:8], DES.MODE_CBC, iv)
    padded = account_number.encode().ljust(24, b"\0")
    return base64.b64encode(iv + cipher.encrypt(padded)).decode()


def encrypt_card_token(token):
    # vuln: CWE-327
    cipher = AES.new(BANK_KEY, AES.MODE_ECB)
    data = token.encode()
    data += b" " * (16 - len(data) % 16)
    return base64.b64encode(cipher.encrypt(data)).decode()


def encrypt_routing_number(routing):
    # vuln: CWE-327
    encryptor = Cipher(algorithms.AES(BANK_KEY), modes.ECB()).encryptor()
    block = routing.encode().ljust(16, b"0")
    return base64.b64encode(encryptor.update(block) + encryptor.finalize()).decode()


def encrypt_account_number(account_number):
    nonce = os.urandom(12)
    # safe: CWE-327
    ciphertext = AESGCM(BANK_KEY).encrypt(nonce, account_number.encode(), b"payout-account")
    return base64.b64encode(nonce + ciphertext).decode()


def encrypt_card_token_v2(token):
    # safe: CWE-327
    cipher = AES.new(BANK_KEY, AES.MODE_GCM)
    ciphertext, tag = cipher.encrypt_and_digest(token.encode())
    return base64.b64encode(cipher.nonce + tag + ciphertext).decode()


def seal_invoice_note(note):
    # safe: CWE-327
    return Fernet(os.environ["INVOICE_NOTE_KEY"]).encrypt(note.encode()).decode()


@router.post("/payouts/account")
def set_payout_account(body: PayoutAccount, user=Depends(current_user), db: Session = Depends(get_db)):
    payout = db.query(Payout).filter_by(landlord_id=user.landlord_id).one()
    payout.account_enc = encrypt_account_number(body.account_number)
    payout.routing_enc = encrypt_routing_number(body.routing_number)
    payout.pin_hash = hash_payout_pin_v2(body.payout_pin)
    db.commit()
    return {"ok": True}


@router.post("/payouts/verify-change")
def request_payout_change(user=Depends(current_user), db: Session = Depends(get_db)):
    payout = db.query(Payout).filter_by(landlord_id=user.landlord_id).one()
    # vuln: CWE-338
    payout.change_otp = str(random.randint(100000, 999999))
    payout.change_otp_expires = time.time() + 600
    db.commit()
    return {"sent_to": user.phone_masked}


@router.post("/payouts/verify-change/v2")
def request_payout_change_v2(user=Depends(current_user), db: Session = Depends(get_db)):
    payout = db.query(Payout).filter_by(landlord_id=user.landlord_id).one()
    # safe: CWE-338
    payout.change_otp = f"{secrets.randbelow(1_000_000):06d}"
    payout.change_otp_expires = time.time() + 600
    db.commit()
    return {"sent_to": user.phone_masked}


@router.post("/invoices/{invoice_id}/link")
def create_pay_link(invoice_id: int, user=Depends(current_user), db: Session = Depends(get_db)):
    invoice = db.get(Invoice, invoice_id)
    # vuln: CWE-330
    invoice.pay_token = "%032x" % random.getrandbits(128)
    db.commit()
    return {"url": f"https://pay.rentals.example.com/i/{invoice.pay_token}"}


@router.post("/invoices/{invoice_id}/link/v2")
def create_pay_link_v2(invoice_id: int, user=Depends(current_user), db: Session = Depends(get_db)):
    invoice = db.get(Invoice, invoice_id)
    # safe: CWE-330
    invoice.pay_token = secrets.token_urlsafe(32)
    db.commit()
    return {"url": f"https://pay.rentals.example.com/i/{invoice.pay_token}"}


def charge_with_retry(invoice, attempts=4):
    for attempt in range(attempts):
        try:
            return stripe.PaymentIntent.create(amount=invoice.amount_cents, currency="usd", customer=invoice.stripe_customer)
        except stripe.error.APIConnectionError:
            # safe: CWE-330
            time.sleep(min(30, 2 ** attempt) + random.uniform(0, 1.5))
    raise RuntimeError("payment gateway unreachable")


@router.get("/audit/sample")
def audit_sample(month: str, size: int = 25, user=Depends(current_user), db: Session = Depends(get_db)):
    invoices = db.query(Invoice).filter(Invoice.period == month).all()
    # safe: CWE-330
    picked = random.sample(invoices, k=min(size, len(invoices)))
    return {"invoice_ids": [i.id for i in picked]}


@router.get("/history")
def payment_history(tenant_id: int, status: str = Query("paid"), db: Session = Depends(get_db), user=Depends(current_user)):
    # vuln: CWE-89
    rows = db.execute(text(f"SELECT id, amount_cents, paid_at FROM rent_payments WHERE tenant_id = {tenant_id} AND status = '{status}' ORDER BY paid_at DESC")).all()
    return [dict(r._mapping) for r in rows]


@router.get("/history/v2")
def payment_history_v2(tenant_id: int, status: str = Query("paid"), db: Session = Depends(get_db), user=Depends(current_user)):
    # safe: CWE-89
    rows = db.execute(text("SELECT id, amount_cents, paid_at FROM rent_payments WHERE tenant_id = :tid AND status = :status ORDER BY paid_at DESC"), {"tid": tenant_id, "status": status}).all()
    return [dict(r._mapping) for r in rows]


@router.get("/receipt/{invoice_id}", response_class=HTMLResponse)
def receipt(invoice_id: int, memo: str = "", db: Session = Depends(get_db)):
    invoice = db.get(Invoice, invoice_id)
    amount = Decimal(invoice.amount_cents) / 100
    # vuln: CWE-79
    return HTMLResponse(f"<h1>Receipt #{invoice.id}</h1><p>Amount: ${amount}</p><p>Memo: {memo}</p>")


@router.get("/receipt/{invoice_id}/print", response_class=HTMLResponse)
def receipt_print(invoice_id: int, memo: str = "", db: Session = Depends(get_db)):
    invoice = db.get(Invoice, invoice_id)
    amount = Decimal(invoice.amount_cents) / 100
    # safe: CWE-79
    return HTMLResponse("<h1>Receipt #%d</h1><p>Amount: $%s</p><p>Memo: %s</p>" % (invoice.id, amount, html.escape(memo)))


@router.post("/pay/start")
def start_guest_payment(request: Request, body: PayerInfo, db: Session = Depends(get_db)):
    # vuln: CWE-501
    request.session["payer_email"] = body.email
    request.session["invoice_id"] = body.invoice_id
    return {"next": f"/payments/pay/{body.invoice_id}"}


@router.post("/pay/start/v2")
def start_guest_payment_v2(request: Request, token: str = Form(...), db: Session = Depends(get_db)):
    invoice = db.query(Invoice).filter_by(pay_token=token).first()
    if invoice is None:
        raise HTTPException(status_code=404)
    # safe: CWE-501
    request.session["invoice_id"] = invoice.id
    return {"next": f"/payments/pay/{invoice.id}"}


@router.post("/pay/session")
def open_payment_session(response: Response, tenant=Depends(current_tenant)):
    sid = secrets.token_urlsafe(32)
    # vuln: CWE-614
    response.set_cookie(key="pay_session", value=sid, httponly=True, samesite="strict", max_age=1800)
    return {"ok": True}


@router.post("/pay/session/v2")
def open_payment_session_v2(response: Response, tenant=Depends(current_tenant)):
    sid = secrets.token_urlsafe(32)
    # safe: CWE-1004
    response.set_cookie(key="pay_session", value=sid, httponly=True, secure=True, samesite="strict", max_age=1800)
    return {"ok": True}


@router.get("/pay/done")
def payment_done(return_url: str = Query("/dashboard")):
    # vuln: CWE-601
    return RedirectResponse(url=return_url, status_code=303)


@router.get("/pay/done/v2")
def payment_done_v2(invoice_id: int):
    # safe: CWE-601
    return RedirectResponse(url=f"/tenant/invoices/{invoice_id}?paid=1", status_code=303)


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request):
    payload = await request.body()
    event = stripe.Webhook.construct_event(payload, request.headers.get("stripe-signature"), STRIPE_WEBHOOK_SECRET)
    return {"received": event["type"]}
