"""Clinic patient records API (FastAPI, SQLAlchemy Core and psycopg2)."""

from html import escape

import psycopg2
from fastapi import Cookie, Depends, FastAPI, Form, Header, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import bindparam, create_engine, select, text
from sqlalchemy.orm import Session

from .models import Appointment

app = FastAPI()
engine = create_engine("postgresql+psycopg2://clinic@db/clinic")
templates = Jinja2Templates(directory="templates")
WARDS = ("cardiology", "oncology", "pediatrics")


def get_session():
    with Session(engine) as session:
        yield session


def pg():
    return psycopg2.connect(dbname="clinic", host="db")


@app.get("/patients/by-ward/{ward}")
def patients_in_ward(ward: str, session: Session = Depends(get_session)):
    # vuln: CWE-89
    rows = session.execute(text(f"SELECT id, full_name FROM patients WHERE ward = '{ward}'")).all()
    return [dict(row._mapping) for row in rows]


@app.post("/patients/search")
def search_patients(surname: str = Form(...)):
    conn = pg()
    with conn.cursor() as cur:
        # vuln: CWE-89
        cur.execute("SELECT id, full_name, dob FROM patients WHERE surname ILIKE '" + surname + "%'")
        return cur.fetchall()


def appointments_query(doctor_id, status):
    return "SELECT * FROM appointments WHERE doctor_id = %s AND status = '%s'" % (doctor_id, status)


@app.get("/appointments")
def appointments(doctor: str, status: str = "booked"):
    conn = pg()
    cur = conn.cursor()
    # vuln: CWE-89
    cur.execute(appointments_query(doctor, status))
    return cur.fetchall()


@app.delete("/appointments/cancel")
def cancel_appointments(x_patient_ref: str = Header(...), session: Session = Depends(get_session)):
    statement = "UPDATE appointments SET status = 'cancelled' WHERE patient_ref = '{}'".format(x_patient_ref)
    # vuln: CWE-89
    session.execute(text(statement))
    session.commit()
    return {"cancelled": True}


@app.get("/patients/by-ward/{ward}/safe")
def patients_in_ward_bound(ward: str, session: Session = Depends(get_session)):
    # safe: CWE-89
    rows = session.execute(text("SELECT id, full_name FROM patients WHERE ward = :ward"), {"ward": ward}).all()
    return [dict(row._mapping) for row in rows]


@app.post("/patients/search/safe")
def search_patients_param(surname: str = Form(...)):
    conn = pg()
    with conn.cursor() as cur:
        # safe: CWE-89
        cur.execute("SELECT id, full_name, dob FROM patients WHERE surname ILIKE %s", (surname + "%",))
        return cur.fetchall()


@app.get("/appointments/safe")
def appointments_orm(doctor: int, status: str = "booked", session: Session = Depends(get_session)):
    # safe: CWE-89
    rows = session.scalars(select(Appointment).where(Appointment.doctor_id == doctor, Appointment.status == status)).all()
    return [row.as_dict() for row in rows]


@app.get("/patients/{patient_id}")
def patient(patient_id: int):
    conn = pg()
    cur = conn.cursor()
    # safe: CWE-89
    cur.execute("SELECT id, full_name, dob FROM patients WHERE id = %d" % patient_id)
    return cur.fetchone()


@app.get("/wards/{ward}/count")
def ward_count(ward: str, session: Session = Depends(get_session)):
    ward = ward if ward in WARDS else "cardiology"
    query = text("SELECT COUNT(*) FROM patients WHERE ward = :ward").bindparams(bindparam("ward", value=ward))
    # safe: CWE-89
    return {"count": session.execute(query).scalar_one()}


@app.get("/portal/welcome", response_class=HTMLResponse)
def welcome(first_name: str = "there"):
    # vuln: CWE-79
    return HTMLResponse(content=f"<h2>Hello {first_name}, your results are ready.</h2>")


@app.get("/portal/notice", response_class=HTMLResponse)
def notice(request: Request):
    message = request.query_params.get("msg", "")
    body = "<div class='alert'>" + message + "</div>"
    # vuln: CWE-79
    return HTMLResponse(body)


@app.get("/portal/last-visit", response_class=HTMLResponse)
def last_visit(clinic_name: str = Cookie(default="")):
    # vuln: CWE-79
    return "<p>Your last visit was to %s.</p>" % clinic_name


@app.post("/portal/feedback/preview", response_class=HTMLResponse)
async def feedback_preview(request: Request):
    payload = await request.json()
    # vuln: CWE-79
    return HTMLResponse("<blockquote>{}</blockquote>".format(payload["comment"]))


@app.get("/portal/welcome/safe", response_class=HTMLResponse)
def welcome_escaped(first_name: str = "there"):
    # safe: CWE-79
    return HTMLResponse(content=f"<h2>Hello {escape(first_name)}, your results are ready.</h2>")


@app.get("/portal/notice/safe", response_class=HTMLResponse)
def notice_template(request: Request):
    # safe: CWE-79
    return templates.TemplateResponse(request, "notice.html", {"message": request.query_params.get("msg", "")})


@app.get("/portal/last-visit/safe")
def last_visit_json(clinic_name: str = Cookie(default="")):
    # safe: CWE-79
    return {"last_clinic": clinic_name}


@app.get("/portal/patients/{patient_id}/badge", response_class=HTMLResponse)
def badge(patient_id: int):
    # safe: CWE-79
    return HTMLResponse(f"<span class='badge'>Patient #{patient_id}</span>")
