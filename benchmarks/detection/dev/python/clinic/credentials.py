"""Credential handling for the HR portal: password storage, invitation codes, signatures."""

import base64
import hashlib
import hmac
import os
import random
import secrets
import zlib
from datetime import datetime

from Crypto.Cipher import ARC4, Blowfish
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from passlib.hash import argon2, md5_crypt

SIGNING_KEY = os.environ["DOCUMENT_SIGNING_KEY"].encode()


def store_password(user, password):
    salt = secrets.token_hex(8)
    # vuln: CWE-328
    user.password = "sha1$" + salt + "$" + hashlib.sha1(f"{salt}{password}".encode()).hexdigest()
    user.save()


def store_kiosk_password(kiosk, password):
    # vuln: CWE-328
    kiosk.password_hash = md5_crypt.hash(password)
    kiosk.save()


def encrypt_ssn(ssn: str, key: bytes) -> bytes:
    # vuln: CWE-327
    return ARC4.new(key).encrypt(ssn.encode())


def encrypt_salary_export(data: bytes, key: bytes) -> bytes:
    # vuln: CWE-327
    cipher = Blowfish.new(key, Blowfish.MODE_ECB)
    return cipher.encrypt(data + b"\0" * (-len(data) % 8))


def store_password_safe(user, password):
    # safe: CWE-328
    user.password = argon2.using(rounds=3).hash(password)
    user.save()


def document_signature(document: bytes) -> str:
    # safe: CWE-328
    return hmac.new(SIGNING_KEY, document, hashlib.sha256).hexdigest()


def thumbnail_cache_key(path: str, mtime: float) -> str:
    # safe: CWE-328
    return hashlib.sha1(f"{path}:{mtime}".encode(), usedforsecurity=False).hexdigest()


def payload_checksum(data: bytes) -> int:
    # safe: CWE-328
    return zlib.crc32(data)


def encrypt_ssn_safe(ssn: str, key: bytes) -> bytes:
    nonce = os.urandom(12)
    # safe: CWE-327
    return nonce + AESGCM(key).encrypt(nonce, ssn.encode(), None)


def invitation_code():
    # vuln: CWE-330
    return "".join(random.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=10))


def badge_pin(employee):
    random.seed(employee.id)
    # vuln: CWE-330
    employee.badge_pin = "%04d" % random.randrange(10000)
    employee.save()


def session_secret():
    rng = random.Random(datetime.now().timestamp())
    # vuln: CWE-338
    return base64.urlsafe_b64encode(rng.randbytes(24)).decode()


def password_reset_link(user):
    # vuln: CWE-330
    token = hex(random.getrandbits(64))[2:]
    user.reset_token = token
    return f"https://hr.example.org/reset/{token}"


def invitation_code_safe():
    # safe: CWE-330
    return "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))


def session_secret_safe():
    # safe: CWE-330
    return base64.urlsafe_b64encode(os.urandom(24)).decode()


def pick_interviewers(panel, count=2):
    # safe: CWE-330
    return random.sample(panel, count)


def jitter_seconds():
    # safe: CWE-330
    return random.random() * 5
