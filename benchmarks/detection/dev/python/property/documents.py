"""Tenant document uploads: IDs, payslips, property photos, lease PDFs (FastAPI)."""
import hashlib
import os
import random
import shlex
import shutil
import string
import subprocess
import tempfile
import uuid
from pathlib import Path

import requests
from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel

from .auth import current_user
from .db import Document, SessionLocal

router = APIRouter(prefix="/documents", tags=["documents"])

UPLOAD_ROOT = os.environ.get("DOCUMENT_ROOT", "/srv/rentals/uploads")
PHOTO_DIR = Path(os.environ.get("PHOTO_ROOT", "/srv/rentals/photos"))
LEASE_DIR = Path("/srv/rentals/leases")
THUMB_DIR = "/srv/rentals/thumbs"
ALLOWED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".heic"}
SHARE_ALPHABET = string.ascii_letters + string.digits


class PhotoDelete(BaseModel):
    listing_id: int
    photo: str


class PhotoImport(BaseModel):
    listing_id: int
    source_url: str


def get_session():
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()


@router.post("/tenants/{tenant_id}/upload")
async def upload_document(tenant_id: int, kind: str = Form(...), upload: UploadFile = File(...), user=Depends(current_user)):
    tenant_dir = os.path.join(UPLOAD_ROOT, str(tenant_id), kind)
    os.makedirs(tenant_dir, exist_ok=True)
    dest = os.path.join(tenant_dir, upload.filename)
    # vuln: CWE-22
    with open(dest, "wb") as fh:
        shutil.copyfileobj(upload.file, fh)
    return {"stored": upload.filename, "kind": kind}


@router.post("/tenants/{tenant_id}/upload-v2")
async def upload_document_v2(tenant_id: int, upload: UploadFile = File(...), user=Depends(current_user), db=Depends(get_session)):
    ext = os.path.splitext(upload.filename or "")[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise HTTPException(status_code=415, detail="unsupported file type")
    stored_name = f"{uuid.uuid4().hex}{ext}"
    tenant_dir = os.path.join(UPLOAD_ROOT, str(tenant_id))
    os.makedirs(tenant_dir, exist_ok=True)
    # safe: CWE-22
    with open(os.path.join(tenant_dir, stored_name), "wb") as fh:
        shutil.copyfileobj(upload.file, fh)
    doc = Document(tenant_id=tenant_id, original_name=upload.filename, stored_name=stored_name)
    db.add(doc)
    db.commit()
    return {"id": doc.id}


@router.get("/leases/{lease_id}/{name:path}")
def download_lease(lease_id: int, name: str, user=Depends(current_user)):
    # vuln: CWE-22
    return FileResponse(LEASE_DIR / str(lease_id) / name, media_type="application/pdf")


@router.get("/leases/{lease_id}/signed")
def download_signed_lease(lease_id: int, version: str = "latest", user=Depends(current_user)):
    base = (LEASE_DIR / str(lease_id)).resolve()
    target = (base / f"{version}.pdf").resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise HTTPException(status_code=404)
    # safe: CWE-22
    return FileResponse(target, media_type="application/pdf")


@router.post("/photos/delete")
def delete_photo(body: PhotoDelete, user=Depends(current_user)):
    # vuln: CWE-22
    os.remove(os.path.join(PHOTO_DIR, str(body.listing_id), body.photo))
    return {"deleted": body.photo}


@router.delete("/{document_id}")
def delete_document(document_id: int, user=Depends(current_user), db=Depends(get_session)):
    doc = db.get(Document, document_id)
    if doc is None or doc.tenant_id != user.tenant_id:
        raise HTTPException(status_code=404)
    # safe: CWE-22
    os.remove(os.path.join(UPLOAD_ROOT, str(doc.tenant_id), doc.stored_name))
    db.delete(doc)
    db.commit()
    return {"deleted": document_id}


@router.get("/payslips/preview")
def payslip_preview(x_document_path: str = Header(...), user=Depends(current_user)):
    full_path = UPLOAD_ROOT + "/" + str(user.tenant_id) + "/payslips/" + x_document_path
    # vuln: CWE-22
    data = Path(full_path).read_bytes()
    return Response(content=data, media_type="application/pdf")


@router.get("/photos/{listing_id}/{photo_name}")
def listing_photo(listing_id: int, photo_name: str, request: Request):
    safe_name = os.path.basename(photo_name)
    if safe_name in ("", ".", "..") or os.path.splitext(safe_name)[1].lower() not in ALLOWED_EXTENSIONS:
        raise HTTPException(status_code=404)
    path = PHOTO_DIR / str(listing_id) / safe_name
    if not path.is_file():
        raise HTTPException(status_code=404)
    # safe: CWE-22
    data = path.read_bytes()
    # safe: CWE-328
    etag = hashlib.md5(data).hexdigest()
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304)
    return Response(content=data, media_type="image/jpeg", headers={"ETag": etag})


@router.post("/photos/{listing_id}/thumbnail")
async def make_thumbnail(listing_id: int, upload: UploadFile = File(...), user=Depends(current_user)):
    src = os.path.join(tempfile.gettempdir(), f"{listing_id}-{upload.filename}")
    with open(src, "wb") as fh:
        shutil.copyfileobj(upload.file, fh)
    thumb = os.path.join(THUMB_DIR, f"{listing_id}.jpg")
    # vuln: CWE-78
    subprocess.run(f"convert '{src}' -auto-orient -resize 640x480 {thumb}", shell=True, check=True)
    return {"thumbnail": f"/thumbs/{listing_id}.jpg"}


@router.post("/photos/{listing_id}/thumbnail-v2")
async def make_thumbnail_v2(listing_id: int, upload: UploadFile = File(...), user=Depends(current_user)):
    fd, src = tempfile.mkstemp(suffix=".upload")
    with os.fdopen(fd, "wb") as fh:
        shutil.copyfileobj(upload.file, fh)
    thumb = os.path.join(THUMB_DIR, f"{listing_id}.jpg")
    # safe: CWE-78
    subprocess.run(["convert", src, "-auto-orient", "-resize", "640x480", thumb], check=True)
    os.unlink(src)
    return {"thumbnail": f"/thumbs/{listing_id}.jpg"}


def extract_payslip_text(stored_path, password):
    out_path = stored_path + ".txt"
    # vuln: CWE-78
    os.system("pdftotext -upw " + password + " " + stored_path + " " + out_path)
    with open(out_path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def extract_payslip_text_quoted(stored_path, password):
    cmd = "pdftotext -upw {} {} -".format(shlex.quote(password), shlex.quote(stored_path))
    # safe: CWE-78
    result = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30)
    return result.stdout


@router.post("/payslips/{document_id}/extract")
def extract_payslip(document_id: int, pdf_password: str = Form(""), engine: str = Form("v2"), user=Depends(current_user), db=Depends(get_session)):
    doc = db.get(Document, document_id)
    if doc is None or doc.tenant_id != user.tenant_id:
        raise HTTPException(status_code=404)
    stored = os.path.join(UPLOAD_ROOT, str(doc.tenant_id), doc.stored_name)
    if engine == "v1":
        text = extract_payslip_text(stored, pdf_password)
    else:
        text = extract_payslip_text_quoted(stored, pdf_password)
    return {"chars": len(text), "preview": text[:400]}


@router.post("/{document_id}/checksum")
def document_checksum(document_id: int, user=Depends(current_user), db=Depends(get_session)):
    doc = db.get(Document, document_id)
    if doc is None:
        raise HTTPException(status_code=404)
    with open(os.path.join(UPLOAD_ROOT, str(doc.tenant_id), doc.stored_name), "rb") as fh:
        # safe: CWE-328
        digest = hashlib.sha256(fh.read()).hexdigest()
    doc.sha256 = digest
    db.commit()
    return {"sha256": digest}


@router.post("/{document_id}/share")
def share_document(document_id: int, user=Depends(current_user), db=Depends(get_session)):
    doc = db.get(Document, document_id)
    if doc is None or doc.tenant_id != user.tenant_id:
        raise HTTPException(status_code=404)
    # vuln: CWE-330
    doc.share_token = "".join(random.choice(SHARE_ALPHABET) for _ in range(24))
    db.commit()
    return {"url": f"https://rentals.example.com/shared/{doc.share_token}"}


@router.post("/photos/import")
def import_photo(body: PhotoImport, user=Depends(current_user)):
    # vuln: CWE-918
    resp = requests.get(body.source_url, timeout=10, stream=True)
    resp.raise_for_status()
    name = f"{uuid.uuid4().hex}.jpg"
    target_dir = PHOTO_DIR / str(body.listing_id)
    target_dir.mkdir(parents=True, exist_ok=True)
    with open(target_dir / name, "wb") as fh:
        for chunk in resp.iter_content(65536):
            fh.write(chunk)
    return JSONResponse({"photo": name}, status_code=201)
