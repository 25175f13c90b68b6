"""Bulk import endpoints: XML price lists, YAML job definitions, saved carts (Flask),
plus the legacy stdlib import listener still used by the warehouse scanners."""

import base64
import io
import json
import pickle
import xml.sax
from http.server import BaseHTTPRequestHandler, HTTPServer
from xml.dom import pulldom
from xml.sax.handler import feature_external_ges

import defusedxml.ElementTree as SafeET
import defusedxml.minidom
import jsonpickle
import yaml
from flask import Flask, jsonify, request
from itsdangerous import URLSafeSerializer
from lxml import etree

app = Flask(__name__)
cart_serializer = URLSafeSerializer(app.config.get("SECRET_KEY", ""), salt="cart")


class PriceHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.items = []

    def startElement(self, name, attrs):
        if name == "item":
            self.items.append(dict(attrs))


@app.route("/import/prices", methods=["POST"])
def import_prices():
    parser = etree.XMLParser(resolve_entities=True, no_network=False)
    # vuln: CWE-611
    root = etree.fromstring(request.data, parser)
    return jsonify(count=len(root.findall("item")))


@app.route("/import/catalog", methods=["POST"])
def import_catalog():
    upload = request.files["catalog"]
    # vuln: CWE-611
    tree = etree.parse(upload.stream, etree.XMLParser(load_dtd=True, resolve_entities=True))
    return jsonify(products=len(tree.getroot()))


def parse_price_feed(body: bytes):
    handler = PriceHandler()
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    # vuln: CWE-611
    parser.parse(io.BytesIO(body))
    return handler.items


@app.route("/import/feed", methods=["POST"])
def import_feed():
    return jsonify(items=parse_price_feed(request.get_data()))


@app.route("/import/stock", methods=["POST"])
def import_stock():
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    # vuln: CWE-611
    events = pulldom.parseString(request.get_data(as_text=True), parser)
    count = sum(1 for event, node in events if event == pulldom.START_ELEMENT and node.tagName == "sku")
    return jsonify(skus=count)


@app.route("/import/prices/v2", methods=["POST"])
def import_prices_defused():
    # safe: CWE-611
    root = SafeET.fromstring(request.data)
    return jsonify(count=len(root.findall("item")))


@app.route("/import/catalog/v2", methods=["POST"])
def import_catalog_hardened():
    upload = request.files["catalog"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    # safe: CWE-611
    tree = etree.parse(upload.stream, parser)
    return jsonify(products=len(tree.getroot()))


@app.route("/import/feed/v2", methods=["POST"])
def import_feed_default_sax():
    handler = PriceHandler()
    # safe: CWE-611
    xml.sax.parseString(request.get_data(), handler)
    return jsonify(items=handler.items)


@app.route("/import/stock/v2", methods=["POST"])
def import_stock_defused():
    # safe: CWE-611
    document = defusedxml.minidom.parseString(request.get_data())
    return jsonify(skus=len(document.getElementsByTagName("sku")))


@app.route("/cart/restore")
def restore_cart():
    saved = request.cookies.get("saved_cart", "")
    # vuln: CWE-502
    cart = pickle.loads(base64.urlsafe_b64decode(saved))
    return jsonify(items=cart.get("items", []))


@app.route("/jobs", methods=["POST"])
def create_job():
    # vuln: CWE-502
    definition = yaml.load(request.data, Loader=yaml.Loader)
    return jsonify(name=definition["name"], steps=len(definition.get("steps", [])))


@app.route("/reports/state", methods=["PUT"])
def restore_report_state():
    state = request.get_json()["state"]
    # vuln: CWE-502
    report = jsonpickle.decode(state)
    return jsonify(title=getattr(report, "title", None))


@app.route("/cart/restore/v2")
def restore_cart_signed():
    saved = request.cookies.get("saved_cart", "")
    # safe: CWE-502
    cart = cart_serializer.loads(saved)
    return jsonify(items=cart.get("items", []))


@app.route("/jobs/v2", methods=["POST"])
def create_job_safe():
    # safe: CWE-502
    definition = yaml.safe_load(request.data)
    return jsonify(name=definition["name"], steps=len(definition.get("steps", [])))


@app.route("/jobs/v3", methods=["POST"])
def create_job_safe_loader():
    # safe: CWE-502
    definition = yaml.load(request.data, Loader=yaml.SafeLoader)
    return jsonify(name=definition["name"])


@app.route("/reports/state/v2", methods=["PUT"])
def restore_report_state_json():
    # safe: CWE-502
    state = json.loads(request.get_json()["state"])
    return jsonify(title=state.get("title"))


class ScannerImportHandler(BaseHTTPRequestHandler):
    """Warehouse hand scanners POST pickled batches here (legacy protocol)."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path == "/batch":
            # vuln: CWE-502
            batch = pickle.loads(body)
        else:
            # safe: CWE-502
            batch = json.loads(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps({"received": len(batch)}).encode())


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8081), ScannerImportHandler).serve_forever()
