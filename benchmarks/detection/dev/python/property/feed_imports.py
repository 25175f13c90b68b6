"""Partner feed imports (XML / YAML / CSV) for listings, rent rolls and pricing rules.

A small WSGI app mounted at /imports by the gateway; run locally with
``python -m rentals.feed_imports``.
"""
import ast
import csv
import io
import json
import pickle
import xml.sax
from decimal import Decimal
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server
from xml.dom import minidom
from xml.etree import ElementTree
from xml.sax.handler import ContentHandler, feature_external_ges

import defusedxml.ElementTree as SafeET
import defusedxml.minidom
import yaml
from lxml import etree, objectify

from .store import ListingStore

store = ListingStore.from_env()

FIELD_TRANSFORMS = {
    "upper": str.upper,
    "lower": str.lower,
    "strip": str.strip,
    "int": int,
    "money": lambda v: Decimal(v.replace("$", "").replace(",", "")),
}
ALLOWED_FORMULA_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.Constant,
    ast.Name,
    ast.Load,
)


class ListingHandler(ContentHandler):
    def __init__(self):
        super().__init__()
        self.listings = []
        self._current = None
        self._text = []

    def startElement(self, name, attrs):
        if name == "listing":
            self._current = {"ref": attrs.get("ref")}
        self._text = []

    def characters(self, content):
        self._text.append(content)

    def endElement(self, name):
        if self._current is None:
            return
        if name == "listing":
            self.listings.append(self._current)
            self._current = None
        else:
            self._current[name] = "".join(self._text).strip()


def _read_body(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length)


def _json(start_response, status, obj):
    data = json.dumps(obj, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def import_listings_lxml(body):
    # vuln: CWE-611
    doc = etree.fromstring(body, etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False))
    return [{"ref": el.get("ref"), "title": el.findtext("title"), "rent": el.findtext("rent")} for el in doc.iter("listing")]


def import_listings_lxml_v2(body):
    # safe: CWE-611
    doc = etree.fromstring(body, etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True))
    return [{"ref": el.get("ref"), "title": el.findtext("title"), "rent": el.findtext("rent")} for el in doc.iter("listing")]


def import_listings_defused(body):
    # safe: CWE-611
    root = SafeET.fromstring(body)
    return [{"ref": el.get("ref"), "title": el.findtext("title"), "rent": el.findtext("rent")} for el in root.iter("listing")]


def import_rent_roll(body):
    # vuln: CWE-611
    tree = etree.parse(io.BytesIO(body), parser=etree.XMLParser(dtd_validation=True, resolve_entities=True, no_network=False))
    return [(u.get("unit"), u.findtext("tenant"), u.findtext("rent")) for u in tree.getroot().iter("unit")]


def import_rent_roll_stdlib(body):
    # safe: CWE-611
    root = ElementTree.fromstring(body)
    return [(u.get("unit"), u.findtext("tenant"), u.findtext("rent")) for u in root.iter("unit")]


def import_amenities(body):
    # vuln: CWE-611
    feed = objectify.fromstring(body, objectify.makeparser(resolve_entities=True, huge_tree=True))
    return [str(a) for a in feed.amenity]


def stream_large_feed(stream):
    count = 0
    # vuln: CWE-611
    for _event, elem in etree.iterparse(stream, events=("end",), tag="listing", load_dtd=True, resolve_entities=True):
        store.upsert(elem.get("ref"), elem.findtext("title"), elem.findtext("rent"))
        elem.clear()
        count += 1
    return count


def stream_large_feed_v2(stream):
    count = 0
    # safe: CWE-611
    for _event, elem in etree.iterparse(stream, events=("end",), tag="listing", load_dtd=False, resolve_entities=False, no_network=True):
        store.upsert(elem.get("ref"), elem.findtext("title"), elem.findtext("rent"))
        elem.clear()
        count += 1
    return count


def import_with_sax(body):
    handler = ListingHandler()
    parser = xml.sax.make_parser()
    # vuln: CWE-611
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    parser.parse(io.BytesIO(body))
    return handler.listings


def import_with_sax_v2(body):
    handler = ListingHandler()
    parser = xml.sax.make_parser()
    # safe: CWE-611
    parser.setFeature(feature_external_ges, False)
    parser.setContentHandler(handler)
    parser.parse(io.BytesIO(body))
    return handler.listings


def import_agents_dom(body):
    parser = xml.sax.make_parser()
    # vuln: CWE-611
    parser.setFeature("http://xml.org/sax/features/external-general-entities", True)
    dom = minidom.parseString(body.decode("utf-8"), parser)
    return [a.getAttribute("email") for a in dom.getElementsByTagName("agent")]


def import_agents_dom_v2(body):
    # safe: CWE-611
    dom = defusedxml.minidom.parseString(body)
    return [a.getAttribute("email") for a in dom.getElementsByTagName("agent")]


def query_feed_listing(body, ref):
    doc = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    # vuln: CWE-643
    return doc.xpath("//listing[@ref='%s']" % ref)


def query_feed_listing_v2(body, ref):
    doc = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    # safe: CWE-643
    return doc.xpath("//listing[@ref=$ref]", ref=ref)


def prices_for_agent(body, email):
    doc = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    # vuln: CWE-643
    return doc.xpath("/feed/listing[agent/email='" + email + "']/rent/text()")


def listings_in_city(body, city, max_rent):
    doc = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    evaluator = etree.XPathEvaluator(doc)
    # vuln: CWE-643
    return evaluator(f"//listing[address/city='{city}' and rent <= {max_rent}]/@ref")


def listings_in_city_v2(body, city, max_rent):
    doc = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    evaluator = etree.XPathEvaluator(doc)
    # safe: CWE-643
    return evaluator("//listing[address/city=$city and rent <= $max]/@ref", city=city, max=float(max_rent))


def prices_for_agent_v2(body, email):
    doc = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    # safe: CWE-643
    return doc.xpath("/feed/listing[agent/email=$email]/rent/text()", email=email)


def load_pricing_rules(raw):
    # vuln: CWE-502
    return yaml.load(raw, Loader=yaml.Loader)


def load_pricing_rules_v2(raw):
    # safe: CWE-502
    return yaml.safe_load(raw)


def load_syndication_config(raw):
    # vuln: CWE-502
    config = yaml.unsafe_load(io.StringIO(raw.decode("utf-8")))
    return config.get("partners", [])


def load_syndication_config_v2(raw):
    # safe: CWE-502
    config = yaml.load(io.StringIO(raw.decode("utf-8")), Loader=yaml.SafeLoader)
    return config.get("partners", [])


def restore_saved_searches(upload):
    # vuln: CWE-502
    snapshot = pickle.load(upload)
    return [store.save_search(s["owner"], s["criteria"]) for s in snapshot]


def restore_saved_searches_v2(upload):
    # safe: CWE-502
    snapshot = json.load(upload)
    return [store.save_search(s["owner"], s["criteria"]) for s in snapshot]


def apply_pricing_rules(rules, listing):
    rent = Decimal(listing["rent"])
    for rule in rules:
        # vuln: CWE-95
        rent = Decimal(str(eval(rule["formula"], {"__builtins__": {}}, {"rent": rent, "sqft": listing["sqft"], "beds": listing["beds"]})))
    return rent


def _check_formula(formula):
    tree = ast.parse(formula, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_FORMULA_NODES):
            raise ValueError(f"formula element not allowed: {type(node).__name__}")
        if isinstance(node, ast.Name) and node.id not in {"rent", "sqft", "beds"}:
            raise ValueError(f"unknown variable: {node.id}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ValueError("only numeric constants are allowed")
    return compile(tree, "<formula>", "eval")


def apply_pricing_rules_v2(rules, listing):
    rent = float(listing["rent"])
    for rule in rules:
        code = _check_formula(rule["formula"])
        # safe: CWE-95
        rent = eval(code, {"__builtins__": {}}, {"rent": rent, "sqft": float(listing["sqft"]), "beds": float(listing["beds"])})
    return Decimal(str(rent))


def import_csv_with_mapping(body, mapping_src):
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    rows = []
    for row in reader:
        out = {}
        # vuln: CWE-94
        exec(mapping_src, {"row": row, "out": out, "Decimal": Decimal})
        rows.append(out)
    return rows


def import_csv_with_mapping_v2(body, mapping_spec):
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    spec = json.loads(mapping_spec)
    rows = []
    for row in reader:
        out = {}
        for target, rule in spec.items():
            # safe: CWE-94
            out[target] = FIELD_TRANSFORMS[rule.get("transform", "strip")](row[rule["source"]])
        rows.append(out)
    return rows


XML_IMPORTERS = {
    "listings": import_listings_lxml,
    "listings-v2": import_listings_lxml_v2,
    "listings-defused": import_listings_defused,
    "rent-roll": import_rent_roll,
    "rent-roll-v2": import_rent_roll_stdlib,
    "amenities": import_amenities,
    "sax": import_with_sax,
    "sax-v2": import_with_sax_v2,
    "agents": import_agents_dom,
    "agents-v2": import_agents_dom_v2,
}


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    qs = parse_qs(environ.get("QUERY_STRING", ""))
    method = environ.get("REQUEST_METHOD", "GET")
    if method != "POST":
        return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})

    if path == "/xml/stream":
        return _json(start_response, "200 OK", {"count": stream_large_feed(environ["wsgi.input"])})
    if path == "/xml/stream-v2":
        return _json(start_response, "200 OK", {"count": stream_large_feed_v2(environ["wsgi.input"])})
    if path.startswith("/xml/"):
        importer = XML_IMPORTERS.get(path[len("/xml/"):])
        if importer is None:
            return _json(start_response, "404 Not Found", {})
        return _json(start_response, "200 OK", {"imported": importer(_read_body(environ))})

    if path == "/query/listing":
        body = _read_body(environ)
        ref = qs.get("ref", [""])[0]
        found = query_feed_listing(body, ref) if qs.get("legacy") else query_feed_listing_v2(body, ref)
        return _json(start_response, "200 OK", {"matches": len(found)})
    if path == "/query/agent":
        body = _read_body(environ)
        email = environ.get("HTTP_X_AGENT_EMAIL", "")
        prices = prices_for_agent(body, email) if qs.get("legacy") else prices_for_agent_v2(body, email)
        return _json(start_response, "200 OK", {"rents": prices})
    if path == "/query/city":
        body = _read_body(environ)
        city = qs.get("city", [""])[0]
        max_rent = qs.get("max_rent", ["100000"])[0]
        refs = listings_in_city(body, city, max_rent) if qs.get("legacy") else listings_in_city_v2(body, city, max_rent)
        return _json(start_response, "200 OK", {"refs": refs})

    if path == "/pricing/rules":
        rules = load_pricing_rules(_read_body(environ)) if qs.get("legacy") else load_pricing_rules_v2(_read_body(environ))
        listing = store.get(qs.get("listing", [""])[0])
        rent = apply_pricing_rules(rules, listing) if qs.get("legacy") else apply_pricing_rules_v2(rules, listing)
        return _json(start_response, "200 OK", {"rent": rent})
    if path == "/syndication/config":
        body = _read_body(environ)
        partners = load_syndication_config(body) if qs.get("legacy") else load_syndication_config_v2(body)
        return _json(start_response, "200 OK", {"partners": partners})
    if path == "/saved-searches/restore":
        stream = io.BytesIO(_read_body(environ))
        restored = restore_saved_searches(stream) if qs.get("format") == ["pickle"] else restore_saved_searches_v2(stream)
        return _json(start_response, "200 OK", {"restored": len(restored)})
    if path == "/csv":
        body = _read_body(environ)
        mapping = qs.get("mapping", [""])[0]
        rows = import_csv_with_mapping(body, mapping) if qs.get("script") else import_csv_with_mapping_v2(body, mapping)
        for row in rows:
            store.upsert(row.get("ref"), row.get("title"), row.get("rent"))
        return _json(start_response, "200 OK", {"rows": len(rows)})

    return _json(start_response, "404 Not Found", {})


if __name__ == "__main__":
    with make_server("127.0.0.1", 8090, application) as httpd:
        httpd.serve_forever()
