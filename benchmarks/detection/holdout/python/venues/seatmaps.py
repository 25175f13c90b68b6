"""Venue seat maps: stored as venue-supplied XML, queried for the seat picker."""
import os
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, request
from lxml import etree

bp = Blueprint("seatmaps", __name__, url_prefix="/venues")

SEATMAP_DIR = Path(os.environ.get("SEATMAP_DIR", "/srv/tickets/seatmaps"))
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False)

_SEATS_IN_ROW = etree.XPath("/venue/section[@code=$section]/row[@label=$row]/seat")


@lru_cache(maxsize=64)
def _load_map(venue_id: int):
    path = SEATMAP_DIR / f"{int(venue_id)}.xml"
    return etree.parse(str(path), _SAFE_PARSER)


def _seat_dict(el):
    return {"number": el.get("n"), "status": el.get("status"), "price_band": el.get("band")}


class SeatMapQuery:
    def __init__(self, venue_id):
        self.tree = _load_map(venue_id)

    def accessible_in_section(self, section):
        expr = "/venue/section[@code='" + section + "']/row/seat[@accessible='true']"
        # vuln: CWE-643
        return self.tree.xpath(expr)

    def accessible_in_section_safe(self, section):
        # safe: CWE-643
        return self.tree.xpath("/venue/section[@code=$code]/row/seat[@accessible='true']", code=section)


@bp.get("/<int:venue_id>/seats")
def seats_in_row(venue_id):
    section = request.args.get("section", "")
    row = request.args.get("row", "")
    tree = _load_map(venue_id)
    # vuln: CWE-643
    seats = tree.xpath(f"/venue/section[@code='{section}']/row[@label='{row}']/seat")
    return jsonify([_seat_dict(s) for s in seats])


@bp.get("/<int:venue_id>/seats/v2")
def seats_in_row_v2(venue_id):
    section = request.args.get("section", "")
    row = request.args.get("row", "")
    tree = _load_map(venue_id)
    # safe: CWE-643
    seats = _SEATS_IN_ROW(tree, section=section, row=row)
    return jsonify([_seat_dict(s) for s in seats])


@bp.get("/<int:venue_id>/accessible/<section>")
def accessible_seats(venue_id, section):
    return jsonify([_seat_dict(s) for s in SeatMapQuery(venue_id).accessible_in_section(section)])


@bp.get("/<int:venue_id>/accessible/v2/<section>")
def accessible_seats_v2(venue_id, section):
    return jsonify([_seat_dict(s) for s in SeatMapQuery(venue_id).accessible_in_section_safe(section)])


@bp.post("/<int:venue_id>/seats/lookup")
def seat_lookup(venue_id):
    data = request.get_json(force=True)
    seat_ref = data.get("seat", "")
    tree = _load_map(venue_id)
    root = tree.getroot()
    finder = etree.XPathEvaluator(root)
    # vuln: CWE-643
    matches = finder("//seat[@ref='%s']/@status" % seat_ref)
    return jsonify(status=matches[0] if matches else None)


@bp.post("/<int:venue_id>/seats/lookup/v2")
def seat_lookup_v2(venue_id):
    data = request.get_json(force=True)
    seat_ref = data.get("seat", "")
    tree = _load_map(venue_id)
    finder = etree.XPathEvaluator(tree.getroot())
    # safe: CWE-643
    matches = finder("//seat[@ref=$ref]/@status", ref=seat_ref)
    return jsonify(status=matches[0] if matches else None)


@bp.get("/<int:venue_id>/price-bands/<int:band>")
def seats_in_band(venue_id, band):
    tree = _load_map(venue_id)
    # safe: CWE-643
    seats = tree.xpath("//seat[@band='%d' and @status='available']" % band)
    return jsonify(count=len(seats))


@bp.post("/<int:venue_id>/seatmap")
def upload_seatmap(venue_id):
    upload = request.files["seatmap"]
    raw = upload.read()
    parser = etree.XMLParser(load_dtd=True, resolve_entities=True, no_network=False)
    # vuln: CWE-611
    tree = etree.fromstring(raw, parser=parser)
    sections = tree.findall("section")
    (SEATMAP_DIR / f"{venue_id}.xml").write_bytes(etree.tostring(tree))
    _load_map.cache_clear()
    return jsonify(sections=len(sections))


@bp.post("/<int:venue_id>/seatmap/v2")
def upload_seatmap_v2(venue_id):
    upload = request.files["seatmap"]
    raw = upload.read()
    # safe: CWE-611
    tree = etree.fromstring(raw, parser=_SAFE_PARSER)
    sections = tree.findall("section")
    (SEATMAP_DIR / f"{venue_id}.xml").write_bytes(etree.tostring(tree))
    _load_map.cache_clear()
    return jsonify(sections=len(sections))


@bp.post("/<int:venue_id>/seatmap/validate")
def validate_seatmap(venue_id):
    raw = request.get_data()
    # safe: CWE-611
    root = ET.fromstring(raw)
    missing = [s.get("code") for s in root.iter("section") if not list(s.iter("seat"))]
    return jsonify(ok=not missing, empty_sections=missing)
