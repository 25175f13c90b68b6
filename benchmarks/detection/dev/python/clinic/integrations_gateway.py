"""Partner integration gateway: HL7/XML lab results, cached sessions and queued jobs.

A small WSGI app (stdlib wsgiref) plus a FastAPI router for the newer partners.
"""

import base64
import io
import json
import marshal
import pickle
import shelve
from wsgiref.simple_server import make_server
from xml.dom import minidom
from xml.sax import make_parser
from xml.sax.handler import ContentHandler, feature_external_ges

import defusedxml.sax
import yaml
from defusedxml import ElementTree as DefusedET
from fastapi import APIRouter, Cookie, Request
from lxml import etree

router = APIRouter()


class ResultHandler(ContentHandler):
    def __init__(self):
        super().__init__()
        self.results = []

    def characters(self, content):
        if content.strip():
            self.results.append(content.strip())


def parse_lab_results(body: bytes):
    handler = ResultHandler()
    parser = make_parser()
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    # vuln: CWE-611
    parser.parse(io.BytesIO(body))
    return handler.results


@router.post("/partners/lab-results")
async def lab_results(request: Request):
    return {"results": parse_lab_results(await request.body())}


@router.post("/partners/referrals")
async def referrals(request: Request):
    body = await request.body()
    # vuln: CWE-611
    tree = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=True, load_dtd=True))
    return {"referrals": len(tree.findall(".//referral"))}


@router.post("/partners/claims")
async def claims(request: Request):
    xml_parser = etree.XMLParser(no_network=False, resolve_entities=True, dtd_validation=True)
    # vuln: CWE-611
    document = etree.parse(io.BytesIO(await request.body()), xml_parser)
    return {"claims": len(document.getroot())}


@router.post("/partners/lab-results/safe")
async def lab_results_safe(request: Request):
    handler = ResultHandler()
    # safe: CWE-611
    defusedxml.sax.parseString(await request.body(), handler)
    return {"results": handler.results}


@router.post("/partners/referrals/safe")
async def referrals_safe(request: Request):
    # safe: CWE-611
    tree = DefusedET.fromstring(await request.body())
    return {"referrals": len(tree.findall(".//referral"))}


@router.post("/partners/claims/safe")
async def claims_safe(request: Request):
    xml_parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # safe: CWE-611
    document = etree.parse(io.BytesIO(await request.body()), xml_parser)
    return {"claims": len(document.getroot())}


@router.post("/partners/appointments/safe")
async def appointments_safe(request: Request):
    # safe: CWE-611
    document = minidom.parseString(await request.body())
    return {"appointments": len(document.getElementsByTagName("appointment"))}


@router.get("/partners/session")
def restore_partner_session(partner_state: str = Cookie(default="")):
    # vuln: CWE-502
    state = pickle.loads(base64.b64decode(partner_state))
    return {"partner": state["partner"]}


@router.post("/partners/mapping")
async def upload_mapping(request: Request):
    raw = await request.body()
    # vuln: CWE-502
    mapping = yaml.load(raw, Loader=yaml.UnsafeLoader)
    return {"fields": len(mapping)}


@router.post("/partners/bytecode")
async def legacy_rules(request: Request):
    # vuln: CWE-502
    rules = marshal.loads(await request.body())
    return {"rules": len(rules)}


@router.get("/partners/session/safe")
def restore_partner_session_safe(partner_state: str = Cookie(default="")):
    # safe: CWE-502
    state = json.loads(base64.b64decode(partner_state))
    return {"partner": state["partner"]}


@router.post("/partners/mapping/safe")
async def upload_mapping_safe(request: Request):
    # safe: CWE-502
    mapping = yaml.load(await request.body(), Loader=yaml.CSafeLoader)
    return {"fields": len(mapping)}


@router.post("/partners/mapping/v2")
async def upload_mapping_v2(request: Request):
    # safe: CWE-502
    mapping = yaml.safe_load(io.BytesIO(await request.body()))
    return {"fields": len(mapping)}


def wsgi_app(environ, start_response):
    """Legacy endpoint: the old batch uploader POSTs pickled job lists here."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    if environ["PATH_INFO"] == "/jobs/pickle":
        # vuln: CWE-502
        jobs = pickle.load(io.BytesIO(body))
    else:
        # safe: CWE-502
        jobs = json.load(io.BytesIO(body))
    with shelve.open("/var/lib/gateway/jobs") as db:
        db["pending"] = jobs
    start_response("202 Accepted", [("Content-Type", "application/json")])
    return [json.dumps({"queued": len(jobs)}).encode()]


if __name__ == "__main__":
    make_server("0.0.0.0", 8090, wsgi_app).serve_forever()
