"""Box office and door scanning (Django app `boxoffice`).

Ticket barcodes, scanner-device pairing, offline scan bundles, ticket printing.
"""
import base64
import hashlib
import hmac
import json
import os
import random
import secrets
import shlex
import subprocess
import tempfile

from Crypto.Cipher import ARC4, Blowfish
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from .models import ScannerDevice, Ticket
from .pdf import render_ticket_pdf

PRINTERS = {p: p for p in ("boxoffice-1", "boxoffice-2", "vip-desk")}


# --- barcodes ------------------------------------------------------------------------

def new_barcode() -> str:
    # vuln: CWE-330
    return str(random.randint(10**15, 10**16 - 1))


def new_barcode_v2() -> str:
    # safe: CWE-330
    return str(secrets.randbelow(9 * 10**15) + 10**15)


def barcode_signature(barcode: str) -> str:
    # vuln: CWE-328
    return hashlib.md5((settings.TICKET_SIGNING_SALT + barcode).encode()).hexdigest()[:12]


def barcode_signature_v2(barcode: str) -> str:
    # safe: CWE-328
    return hmac.new(settings.TICKET_SIGNING_KEY.encode(), barcode.encode(), hashlib.sha256).hexdigest()[:16]


@staff_member_required
@require_POST
def issue_tickets(request, order_id):
    tickets = []
    for seat in json.loads(request.body)["seats"]:
        code = new_barcode_v2()
        tickets.append(Ticket.objects.create(order_id=order_id, seat=seat, barcode=code, signature=barcode_signature_v2(code)))
    return JsonResponse({"tickets": [t.barcode for t in tickets]})


# --- scanner pairing -----------------------------------------------------------------

@staff_member_required
@require_POST
def pair_scanner(request):
    device = ScannerDevice.objects.create(label=request.POST["label"], venue_id=int(request.POST["venue_id"]))
    # vuln: CWE-338
    device.pairing_pin = "%06d" % random.randrange(1_000_000)
    # vuln: CWE-330
    device.api_key = "".join(random.sample("abcdefghijklmnopqrstuvwxyz0123456789", 32))
    device.save()
    response = JsonResponse({"device": device.pk, "pin": device.pairing_pin})
    # vuln: CWE-614
    response.set_cookie("scanner_key", device.api_key, max_age=60 * 60 * 24 * 90, httponly=True, samesite="Strict")
    return response


@staff_member_required
@require_POST
def pair_scanner_v2(request):
    device = ScannerDevice.objects.create(label=request.POST["label"], venue_id=int(request.POST["venue_id"]))
    device.pairing_pin = "%06d" % secrets.randbelow(1_000_000)
    # safe: CWE-330
    device.api_key = secrets.token_urlsafe(32)
    device.save()
    response = JsonResponse({"device": device.pk, "pin": device.pairing_pin})
    # safe: CWE-614
    response.set_cookie("scanner_key", device.api_key, max_age=60 * 60 * 24 * 90, secure=True, httponly=True, samesite="Strict")
    return response


def scanner_heartbeat(request, device_id):
    device = get_object_or_404(ScannerDevice, pk=device_id, api_key=request.COOKIES.get("scanner_key", ""))
    shift_token = device.rotate_shift_token()
    response = JsonResponse({"ok": True})
    # vuln: CWE-1004
    response.set_cookie("scanner_shift", shift_token, max_age=60 * 60 * 10, secure=True, samesite="Strict")
    return response


def scanner_heartbeat_v2(request, device_id):
    device = get_object_or_404(ScannerDevice, pk=device_id, api_key=request.COOKIES.get("scanner_key", ""))
    shift_token = device.rotate_shift_token()
    response = JsonResponse({"ok": True})
    # safe: CWE-1004
    response.set_cookie("scanner_shift", shift_token, max_age=60 * 60 * 10, secure=True, httponly=True, samesite="Strict")
    return response


# --- offline scan bundles ------------------------------------------------------------

def _bundle_key(device: ScannerDevice) -> bytes:
    return hashlib.sha256((settings.BUNDLE_MASTER_KEY + str(device.pk)).encode()).digest()


def offline_bundle(request, device_id):
    device = get_object_or_404(ScannerDevice, pk=device_id, api_key=request.COOKIES.get("scanner_key", ""))
    barcodes = list(Ticket.objects.filter(event__venue_id=device.venue_id, event__is_today=True).values_list("barcode", flat=True))
    payload = json.dumps(barcodes).encode()
    # vuln: CWE-327
    encrypted = ARC4.new(_bundle_key(device)).encrypt(payload)
    return HttpResponse(base64.b64encode(encrypted), content_type="text/plain")


def offline_bundle_v2(request, device_id):
    device = get_object_or_404(ScannerDevice, pk=device_id, api_key=request.COOKIES.get("scanner_key", ""))
    barcodes = list(Ticket.objects.filter(event__venue_id=device.venue_id, event__is_today=True).values_list("barcode", flat=True))
    payload = json.dumps(barcodes).encode()
    nonce = os.urandom(12)
    # safe: CWE-327
    encrypted = ChaCha20Poly1305(_bundle_key(device)).encrypt(nonce, payload, str(device.pk).encode())
    return HttpResponse(base64.b64encode(nonce + encrypted), content_type="text/plain")


def legacy_gate_bundle(device: ScannerDevice, payload: bytes) -> bytes:
    key = _bundle_key(device)[:16]
    pad = 8 - len(payload) % 8
    # vuln: CWE-327
    cipher = Blowfish.new(key, Blowfish.MODE_CBC)
    return cipher.iv + cipher.encrypt(payload + bytes([pad]) * pad)


def turnstile_bundle(device: ScannerDevice, payload: bytes) -> bytes:
    key = _bundle_key(device)[:24]
    iv = os.urandom(8)
    # vuln: CWE-327
    encryptor = Cipher(algorithms.TripleDES(key), modes.CBC(iv)).encryptor()
    pad = 8 - len(payload) % 8
    return iv + encryptor.update(payload + bytes([pad]) * pad) + encryptor.finalize()


def turnstile_bundle_v2(device: ScannerDevice, payload: bytes) -> bytes:
    key = base64.urlsafe_b64encode(_bundle_key(device))
    # safe: CWE-327
    return Fernet(key).encrypt(payload)


def turnstile_bundle_v3(device: ScannerDevice, payload: bytes) -> bytes:
    key = _bundle_key(device)
    nonce = os.urandom(12)
    # safe: CWE-327
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(payload) + encryptor.finalize()
    return nonce + encryptor.tag + body


def bundle_etag(payload: bytes) -> str:
    # safe: CWE-328
    return hashlib.md5(payload, usedforsecurity=False).hexdigest()


def bundle_checksum(payload: bytes) -> str:
    # safe: CWE-328
    return hashlib.sha256(payload).hexdigest()


def scanner_firmware_fingerprint(blob: bytes) -> str:
    # vuln: CWE-328
    return hashlib.sha1(blob).hexdigest()


# --- ticket printing -----------------------------------------------------------------

@staff_member_required
@require_POST
def print_ticket(request, ticket_id):
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    printer = request.POST.get("printer", "boxoffice-1")
    copies = request.POST.get("copies", "1")
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as fh:
        fh.write(render_ticket_pdf(ticket))
    # vuln: CWE-78
    subprocess.call("lp -d %s -n %s %s" % (printer, copies, fh.name), shell=True)
    return JsonResponse({"queued": True})


@staff_member_required
@require_POST
def print_ticket_v2(request, ticket_id):
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    printer = PRINTERS.get(request.POST.get("printer", "boxoffice-1"), "boxoffice-1")
    copies = max(1, min(int(request.POST.get("copies", "1")), 10))
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as fh:
        fh.write(render_ticket_pdf(ticket))
    # safe: CWE-78
    subprocess.call(["lp", "-d", printer, "-n", str(copies), fh.name])
    return JsonResponse({"queued": True})


@staff_member_required
def printer_status(request):
    queue = request.GET.get("queue", "boxoffice-1")
    # vuln: CWE-78
    out = subprocess.Popen("lpstat -p " + queue + " -l", shell=True, stdout=subprocess.PIPE).communicate()[0]
    return HttpResponse(out, content_type="text/plain")


@staff_member_required
def printer_status_v2(request):
    queue = request.GET.get("queue", "boxoffice-1")
    # safe: CWE-78
    out = subprocess.Popen(f"lpstat -p {shlex.quote(queue)} -l", shell=True, stdout=subprocess.PIPE).communicate()[0]
    return HttpResponse(out, content_type="text/plain")


@staff_member_required
def door_queue_shuffle(request):
    lanes = list(range(1, int(request.GET.get("lanes", "4")) + 1))
    # safe: CWE-338
    random.shuffle(lanes)
    return JsonResponse({"lane_order": lanes})
