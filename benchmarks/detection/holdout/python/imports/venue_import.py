"""Bulk import/export service for venue and partner data files (WSGI app).

Venues upload seating inventories (XML), price lists (YAML), door lists (CSV)
and snapshots from their own box-office systems.
"""
import cgi
import csv
import io
import json
import os
import pickle
import xml.dom.minidom
import xml.sax
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

import yaml
from defusedxml.minidom import parseString as defused_parse_string
from lxml import etree

from .store import ImportStore

IMPORT_ROOT = Path("/srv/tickets/imports")
EXPORT_ROOT = "/srv/tickets/exports"
store = ImportStore()


def _respond(start_response, status, payload, content_type="application/json"):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _read_body(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length)


def _upload(environ, field):
    form = cgi.FieldStorage(fp=environ["wsgi.input"], environ=environ, keep_blank_values=True)
    item = form[field]
    return item.filename, item.file.read(), form


# --- inventory XML -------------------------------------------------------------------

def import_inventory(environ, start_response):
    venue = environ["HTTP_X_VENUE_CODE"]
    raw = _read_body(environ)
    parser = etree.XMLParser(resolve_entities=True, no_network=False, huge_tree=True)
    # vuln: CWE-611
    tree = etree.parse(io.BytesIO(raw), parser)
    count = store.replace_inventory(venue, tree.getroot())
    return _respond(start_response, "200 OK", {"seats": count})


def import_inventory_dom(environ, start_response):
    venue = environ["HTTP_X_VENUE_CODE"]
    raw = _read_body(environ)
    sax_parser = xml.sax.make_parser()
    # vuln: CWE-611
    sax_parser.setFeature(xml.sax.handler.feature_external_ges, True)
    dom = xml.dom.minidom.parseString(raw, parser=sax_parser)
    seats = dom.getElementsByTagName("seat")
    store.replace_inventory_dom(venue, seats)
    return _respond(start_response, "200 OK", {"seats": len(seats)})


def import_inventory_dom_v2(environ, start_response):
    venue = environ["HTTP_X_VENUE_CODE"]
    raw = _read_body(environ)
    # safe: CWE-611
    dom = defused_parse_string(raw)
    seats = dom.getElementsByTagName("seat")
    store.replace_inventory_dom(venue, seats)
    return _respond(start_response, "200 OK", {"seats": len(seats)})


def inventory_section(environ, start_response):
    qs = parse_qs(environ.get("QUERY_STRING", ""))
    venue = qs.get("venue", [""])[0]
    section = qs.get("section", [""])[0]
    root = store.latest_inventory(venue)
    expr = "//section[@name=\"" + section + "\"]/seat[@sellable=\"yes\"]/@id"
    # vuln: CWE-643
    ids = root.xpath(expr)
    return _respond(start_response, "200 OK", {"seats": list(ids)})


def inventory_section_v2(environ, start_response):
    qs = parse_qs(environ.get("QUERY_STRING", ""))
    venue = qs.get("venue", [""])[0]
    section = qs.get("section", [""])[0]
    root = store.latest_inventory(venue)
    # safe: CWE-643
    ids = root.xpath("//section[@name=$name]/seat[@sellable=\"yes\"]/@id", name=section)
    return _respond(start_response, "200 OK", {"seats": list(ids)})


def inventory_holds(environ, start_response):
    payload = json.loads(_read_body(environ) or b"{}")
    root = store.latest_inventory(payload["venue"])
    hold_code = payload.get("hold_code", "")
    # vuln: CWE-643
    find_holds = etree.XPath("//seat[hold/@code='{}']".format(hold_code))
    return _respond(start_response, "200 OK", {"held": len(find_holds(root))})


def inventory_holds_v2(environ, start_response):
    payload = json.loads(_read_body(environ) or b"{}")
    root = store.latest_inventory(payload["venue"])
    hold_code = payload.get("hold_code", "")
    # safe: CWE-643
    find_holds = etree.XPath("//seat[hold/@code=$code]")
    return _respond(start_response, "200 OK", {"held": len(find_holds(root, code=hold_code))})


# --- price lists and snapshots -------------------------------------------------------

def import_price_list(environ, start_response):
    filename, data, form = _upload(environ, "pricelist")
    # vuln: CWE-502
    prices = yaml.unsafe_load(data)
    store.save_price_list(form.getfirst("venue"), prices)
    return _respond(start_response, "200 OK", {"tiers": len(prices)})


def import_price_list_v2(environ, start_response):
    filename, data, form = _upload(environ, "pricelist")
    # safe: CWE-502
    prices = yaml.safe_load(data)
    store.save_price_list(form.getfirst("venue"), prices)
    return _respond(start_response, "200 OK", {"tiers": len(prices)})


def import_boxoffice_snapshot(environ, start_response):
    filename, data, form = _upload(environ, "snapshot")
    # vuln: CWE-502
    snapshot = pickle.load(io.BytesIO(data))
    store.merge_snapshot(form.getfirst("venue"), snapshot)
    return _respond(start_response, "200 OK", {"merged": True})


def import_boxoffice_snapshot_v2(environ, start_response):
    filename, data, form = _upload(environ, "snapshot")
    # safe: CWE-502
    snapshot = json.load(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    store.merge_snapshot(form.getfirst("venue"), snapshot)
    return _respond(start_response, "200 OK", {"merged": True})


# --- door lists and exports ----------------------------------------------------------

def import_door_list(environ, start_response):
    filename, data, form = _upload(environ, "doorlist")
    venue = form.getfirst("venue", "")
    dest_dir = IMPORT_ROOT / "doorlists"
    # vuln: CWE-22
    Path(dest_dir, venue, filename).write_bytes(data)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return _respond(start_response, "200 OK", {"rows": len(rows)})


def import_door_list_v2(environ, start_response):
    filename, data, form = _upload(environ, "doorlist")
    venue_id = int(form.getfirst("venue_id", "0"))
    dest_dir = IMPORT_ROOT / "doorlists" / str(venue_id)
    dest_dir.mkdir(parents=True, exist_ok=True)
    # safe: CWE-22
    (dest_dir / f"{store.next_import_id()}.csv").write_bytes(data)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return _respond(start_response, "200 OK", {"rows": len(rows)})


def download_export(environ, start_response):
    qs = parse_qs(environ.get("QUERY_STRING", ""))
    name = qs.get("name", [""])[0]
    # vuln: CWE-22
    with open(f"{EXPORT_ROOT}/{name}", "rb") as fh:
        return _respond(start_response, "200 OK", fh.read(), "text/csv")


def download_export_v2(environ, start_response):
    qs = parse_qs(environ.get("QUERY_STRING", ""))
    name = qs.get("name", [""])[0]
    full = os.path.realpath(os.path.join(EXPORT_ROOT, name))
    if os.path.commonpath([full, EXPORT_ROOT]) != EXPORT_ROOT:
        return _respond(start_response, "404 Not Found", {"error": "not found"})
    # safe: CWE-22
    with open(full, "rb") as fh:
        return _respond(start_response, "200 OK", fh.read(), "text/csv")


ROUTES = {
    ("POST", "/inventory"): import_inventory,
    ("POST", "/inventory/dom"): import_inventory_dom,
    ("POST", "/inventory/dom/v2"): import_inventory_dom_v2,
    ("GET", "/inventory/section"): inventory_section,
    ("GET", "/inventory/section/v2"): inventory_section_v2,
    ("POST", "/inventory/holds"): inventory_holds,
    ("POST", "/inventory/holds/v2"): inventory_holds_v2,
    ("POST", "/prices"): import_price_list,
    ("POST", "/prices/v2"): import_price_list_v2,
    ("POST", "/snapshots"): import_boxoffice_snapshot,
    ("POST", "/snapshots/v2"): import_boxoffice_snapshot_v2,
    ("POST", "/doorlists"): import_door_list,
    ("POST", "/doorlists/v2"): import_door_list_v2,
    ("GET", "/exports"): download_export,
    ("GET", "/exports/v2"): download_export_v2,
}


def application(environ, start_response):
    handler = ROUTES.get((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
    if handler is None:
        return _respond(start_response, "404 Not Found", {"error": "not found"})
    return handler(environ, start_response)


if __name__ == "__main__":
    make_server("127.0.0.1", 8091, application).serve_forever()
