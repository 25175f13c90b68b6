"""Transcripts, student document uploads and PDF rendering (FastAPI)."""

import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path
from uuid import uuid4

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel

from .auth import Student, current_student, require_registrar
from .render import render_transcript_html

router = APIRouter(prefix="/transcripts", tags=["transcripts"])

TRANSCRIPT_DIR = Path("/srv/registrar/transcripts")
UPLOAD_ROOT = Path("/srv/registrar/uploads")
DRAFTS_DIR = "/srv/registrar/drafts"
ALLOWED_UPLOAD_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
DRAFT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\.docx")


class DraftDelete(BaseModel):
    draft_name: str


@router.get("/official/{student_id}")
def official_transcript(student_id: int, registrar=Depends(require_registrar)):
    # safe: CWE-22
    return FileResponse(TRANSCRIPT_DIR / "official" / f"{student_id}.pdf", media_type="application/pdf")


@router.get("/archive/{term}/{filename:path}")
def archived_transcript(term: str, filename: str, registrar=Depends(require_registrar)):
    # vuln: CWE-22
    return FileResponse(f"{TRANSCRIPT_DIR}/archive/{term}/{filename}", media_type="application/pdf")


@router.get("/shared/{filename:path}")
def shared_transcript(filename: str, student: Student = Depends(current_student)):
    base = (TRANSCRIPT_DIR / "shared" / str(student.id)).resolve()
    target = (base / filename).resolve()
    if not target.is_relative_to(base):
        raise HTTPException(status_code=404, detail="Not found")
    # safe: CWE-22
    return FileResponse(target, media_type="application/pdf")


@router.get("/attachment")
def attachment(name: str = Query(...), student: Student = Depends(current_student)):
    folder = os.path.join(UPLOAD_ROOT, str(student.id))
    # vuln: CWE-22
    with open(os.path.join(folder, name), "rb") as fh:
        data = fh.read()
    return {"name": name, "size": len(data)}


@router.post("/documents")
async def upload_document(upload: UploadFile, student: Student = Depends(current_student)):
    folder = UPLOAD_ROOT / str(student.id)
    folder.mkdir(parents=True, exist_ok=True)
    # vuln: CWE-22
    with open(os.path.join(folder, upload.filename), "wb") as out:
        out.write(await upload.read())
    return {"stored": upload.filename}


@router.post("/documents/v2")
async def upload_document_v2(upload: UploadFile, student: Student = Depends(current_student)):
    suffix = ALLOWED_UPLOAD_TYPES.get(upload.content_type)
    if suffix is None:
        raise HTTPException(status_code=415, detail="Unsupported file type")
    folder = UPLOAD_ROOT / str(student.id)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{uuid4().hex}{suffix}"
    # safe: CWE-22
    with open(folder / stored_name, "wb") as out:
        out.write(await upload.read())
    return {"stored": stored_name, "original": upload.filename}


@router.delete("/drafts")
def delete_draft(body: DraftDelete, registrar=Depends(require_registrar)):
    # vuln: CWE-22
    os.remove(os.path.join(DRAFTS_DIR, body.draft_name))
    return {"deleted": body.draft_name}


@router.delete("/drafts/v2")
def delete_draft_v2(body: DraftDelete, registrar=Depends(require_registrar)):
    if not DRAFT_NAME.fullmatch(body.draft_name):
        raise HTTPException(status_code=400, detail="Invalid draft name")
    # safe: CWE-22
    os.remove(os.path.join(DRAFTS_DIR, body.draft_name))
    return {"deleted": body.draft_name}


@router.post("/render")
def render_pdf(title: str = Form(...), student: Student = Depends(current_student)):
    workdir = Path(tempfile.mkdtemp(prefix="transcript-"))
    html_path = workdir / "transcript.html"
    pdf_path = workdir / "transcript.pdf"
    html_path.write_text(render_transcript_html(student))
    # vuln: CWE-78
    subprocess.run(f"wkhtmltopdf --title '{title}' {html_path} {pdf_path}", shell=True, check=True)
    return FileResponse(pdf_path, media_type="application/pdf")


@router.post("/render/v2")
def render_pdf_v2(title: str = Form(...), student: Student = Depends(current_student)):
    workdir = Path(tempfile.mkdtemp(prefix="transcript-"))
    html_path = workdir / "transcript.html"
    pdf_path = workdir / "transcript.pdf"
    html_path.write_text(render_transcript_html(student))
    # safe: CWE-78
    subprocess.run(["wkhtmltopdf", "--title", title, str(html_path), str(pdf_path)], check=True, timeout=60)
    return FileResponse(pdf_path, media_type="application/pdf")


@router.post("/watermark")
def watermark(x_watermark_text: str = Header("UNOFFICIAL"), student: Student = Depends(current_student)):
    src = TRANSCRIPT_DIR / "unofficial" / f"{student.id}.png"
    dst = Path(tempfile.mkdtemp()) / "watermarked.png"
    # vuln: CWE-78
    os.system(f"convert {src} -gravity southeast -pointsize 28 -annotate +10+10 '{x_watermark_text}' {dst}")
    return FileResponse(dst, media_type="image/png")


@router.get("/pageinfo")
def page_info(name: str = Query(...), student: Student = Depends(current_student)):
    pdf_path = TRANSCRIPT_DIR / "shared" / str(student.id) / Path(name).name
    # safe: CWE-78
    output = subprocess.run("pdfinfo " + shlex.quote(str(pdf_path)), shell=True, capture_output=True, text=True, timeout=30).stdout
    pages = re.search(r"Pages:\s+(\d+)", output)
    return {"name": pdf_path.name, "pages": int(pages.group(1)) if pages else None}
