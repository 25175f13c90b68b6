"""Password storage, one-time codes, reset tokens and download checksums for the member area."""

import hashlib
import hmac
import os
import random
import secrets
import string
import time
import uuid

import bcrypt
from argon2 import PasswordHasher
from Crypto.Cipher import AES, DES

from .models import Member

PEPPER = os.environ.get("PASSWORD_PEPPER", "")
_argon2 = PasswordHasher()


def hash_password_legacy(password: str) -> str:
    # vuln: CWE-328
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def set_member_password(member: Member, raw_password: str) -> None:
    salt = os.urandom(8).hex()
    # vuln: CWE-328
    member.password_hash = salt + "$" + hashlib.sha1((salt + raw_password).encode()).hexdigest()
    member.save(update_fields=["password_hash"])


def check_api_secret(stored_digest: str, presented: str) -> bool:
    # vuln: CWE-328
    digest = hashlib.new("md5")
    digest.update(presented.encode())
    return hmac.compare_digest(stored_digest, digest.hexdigest())


def encrypt_card_reference(reference: bytes, key: bytes) -> bytes:
    # vuln: CWE-327
    cipher = DES.new(key[:8], DES.MODE_ECB)
    padded = reference + b" " * (-len(reference) % 8)
    return cipher.encrypt(padded)


def hash_password(password: str) -> bytes:
    # safe: CWE-328
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12))


def derive_password_hash(password: str, salt: bytes) -> bytes:
    # safe: CWE-328
    return hashlib.pbkdf2_hmac("sha256", (password + PEPPER).encode(), salt, 600_000)


def hash_password_argon2(password: str) -> str:
    # safe: CWE-328
    return _argon2.hash(password)


def avatar_cache_key(email: str) -> str:
    # safe: CWE-328
    return "avatar:" + hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


def download_checksum(path: str) -> str:
    # safe: CWE-328
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def encrypt_card_reference_gcm(reference: bytes, key: bytes) -> bytes:
    # safe: CWE-327
    cipher = AES.new(key, AES.MODE_GCM)
    ciphertext, tag = cipher.encrypt_and_digest(reference)
    return cipher.nonce + tag + ciphertext


def one_time_login_code() -> str:
    # vuln: CWE-330
    return str(random.randint(100000, 999999))


def password_reset_token(member: Member) -> str:
    alphabet = string.ascii_letters + string.digits
    # vuln: CWE-330
    token = "".join(random.choice(alphabet) for _ in range(32))
    member.reset_token = token
    member.save(update_fields=["reset_token"])
    return token


def api_key_for(member: Member) -> str:
    random.seed(member.pk + int(time.time()))
    # vuln: CWE-338
    return "%032x" % random.getrandbits(128)


def session_nonce() -> str:
    # vuln: CWE-330
    return "".join(random.sample(string.hexdigits, 16))


def one_time_login_code_secure() -> str:
    # safe: CWE-330
    return f"{secrets.randbelow(1_000_000):06d}"


def password_reset_token_secure(member: Member) -> str:
    # safe: CWE-330
    token = secrets.token_urlsafe(32)
    member.reset_token = hashlib.sha256(token.encode()).hexdigest()
    member.save(update_fields=["reset_token"])
    return token


def api_key_secure() -> str:
    # safe: CWE-330
    return uuid.UUID(bytes=os.urandom(16)).hex


def shuffled_tips(tips: list[str]) -> list[str]:
    tips = list(tips)
    # safe: CWE-330
    random.shuffle(tips)
    return tips[:3]


def retry_delay(attempt: int) -> float:
    # safe: CWE-330
    return min(30.0, 2 ** attempt) + random.uniform(0, 0.5)
