"""Landlord-portal partner integrations: webhooks, listing syndication, credit checks (Flask)."""
import base64
import json
import logging
import os
import pickle
import urllib.request
from urllib.parse import quote, urlencode, urlparse

import httpx
import hvac
import jsonpickle
import requests
from flask import Blueprint, abort, current_app, jsonify, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .models import Partner, WebhookSubscription, db

log = logging.getLogger(__name__)
bp = Blueprint("partners", __name__, url_prefix="/partners")

CREDIT_API_BASE = "https://api.tenantcheck.example/v3"
SYNDICATION_BASE = "https://feeds.homesyndicate.example"
ALLOWED_FEED_HOSTS = {"feeds.homesyndicate.example", "export.rentboard.example", "api.lettingsnet.example"}
PARTNER_FEEDS = {
    "rentboard": "https://export.rentboard.example/v1/listings.xml",
    "lettingsnet": "https://api.lettingsnet.example/feed/current",
}

# vuln: CWE-798
SLACK_BOT_TOKEN = "xoxb-4829301756-6120394857123-Qm7rT2vXk9LpWz3NcYb8HdEe"
# safe: CWE-798
SLACK_SIGNING_SECRET = os.environ["SLACK_SIGNING_SECRET"]

# vuln: CWE-798
SYNDICATION_SIGNING_KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAu3Kx0q9nWbXr7Qd1FJm2ZtK4h8PcVy6LrT0aNwE5sGiU3oMf
Vq8ZpX2rYc7LbD9wKj4Tn1HsQe6GmR0vAiPz5uNkWxB3yOlC8tJd2FgEh7MqSaVr
kT9pLw4XzN6cYb1QjR8uHm3GdF0sVe5KiA2oTn7PxZyW4lBqJc9rMg6DfUhE1vSa
8YbWnQ3tLp0XkR6zJm4VcH9sGd2FeA7uPo1KyT5qNi3BwL8rZxE0jMhCv6SgUa4D
-----END RSA PRIVATE KEY-----"""


def _vault_secret(path, key):
    client = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"])
    data = client.secrets.kv.v2.read_secret_version(path=path)
    return data["data"]["data"][key]


def credit_api_key():
    # safe: CWE-798
    return _vault_secret("rentals/credit-check", "api_key")


def notify_ops(text):
    requests.post("https://slack.com/api/chat.postMessage", headers={"Authorization": f"Bearer {SLACK_BOT_TOKEN}"}, json={"channel": "#partner-ops", "text": text}, timeout=5)


@bp.route("/webhooks/test", methods=["POST"])
def test_webhook():
    payload = request.get_json(force=True)
    sample = {"event": "listing.updated", "listing_id": 1, "test": True}
    # vuln: CWE-918
    resp = requests.post(payload["callback_url"], json=sample, timeout=5)
    return jsonify({"status": resp.status_code, "body": resp.text[:500]})


@bp.route("/webhooks", methods=["POST"])
def register_webhook():
    payload = request.get_json(force=True)
    sub = WebhookSubscription(partner_id=payload["partner_id"], url=payload["url"], events=",".join(payload.get("events", [])))
    db.session.add(sub)
    db.session.commit()
    return jsonify({"id": sub.id}), 201


def deliver_event(subscription_id, event):
    sub = WebhookSubscription.query.get(subscription_id)
    body = json.dumps(event).encode()
    req = urllib.request.Request(sub.url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    # vuln: CWE-918
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


@bp.route("/syndication/preview")
def preview_feed():
    feed_url = request.args.get("feed_url", "")
    # vuln: CWE-918
    with urllib.request.urlopen(feed_url, timeout=15) as resp:
        content = resp.read(200_000)
    return current_app.response_class(content, mimetype="application/xml")


@bp.route("/syndication/pull", methods=["POST"])
def pull_feed():
    feed_url = request.form.get("feed_url", "")
    parsed = urlparse(feed_url)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_FEED_HOSTS:
        abort(400, "feed host not allowed")
    # safe: CWE-918
    resp = requests.get(feed_url, timeout=15, allow_redirects=False)
    resp.raise_for_status()
    return jsonify({"bytes": len(resp.content)})


@bp.route("/syndication/partner/<partner_key>")
def partner_feed(partner_key):
    url = PARTNER_FEEDS.get(partner_key)
    if url is None:
        abort(404)
    # safe: CWE-918
    resp = httpx.get(url, timeout=15.0)
    return current_app.response_class(resp.content, mimetype="application/xml")


@bp.route("/syndication/listing")
def syndicated_listing():
    ref = request.args.get("ref", "")
    # safe: CWE-918
    resp = httpx.get(f"{SYNDICATION_BASE}/listings/{quote(ref, safe='')}", timeout=10.0)
    return jsonify(resp.json())


@bp.route("/credit-check/<int:applicant_id>")
def credit_report(applicant_id):
    region = request.args.get("region", "us")
    report_type = request.args.get("type", "full")
    # vuln: CWE-918
    resp = httpx.get(f"https://{region}.bureau.tenantcheck.example/reports/{applicant_id}?type={report_type}", headers={"X-Api-Key": credit_api_key()})
    return jsonify(resp.json())


@bp.route("/credit-check/v2/<int:applicant_id>")
def credit_report_v2(applicant_id):
    report_type = request.args.get("type", "full")
    # safe: CWE-918
    resp = requests.get(CREDIT_API_BASE + "/reports", params={"applicant": applicant_id, "type": report_type}, headers={"X-Api-Key": credit_api_key()}, timeout=10)
    return jsonify(resp.json())


@bp.route("/credit-check/report-status")
def report_status():
    report_id = request.args.get("report_id", "0")
    # safe: CWE-918
    resp = requests.get("%s/reports/%d/status" % (CREDIT_API_BASE, int(report_id)), headers={"X-Api-Key": credit_api_key()}, timeout=10)
    return jsonify(resp.json())


class PartnerLogoFetcher:
    def __init__(self, session=None):
        self.session = session or requests.Session()

    def fetch(self, logo_url):
        # vuln: CWE-918
        resp = self.session.get(logo_url, timeout=5)
        resp.raise_for_status()
        return resp.content


@bp.route("/<int:partner_id>/logo", methods=["PUT"])
def update_logo(partner_id):
    partner = Partner.query.get_or_404(partner_id)
    partner.logo = PartnerLogoFetcher().fetch(request.json["logo_url"])
    db.session.commit()
    return "", 204


@bp.route("/sso/resume", methods=["POST"])
def resume_partner_flow():
    blob = request.form.get("state", "")
    # vuln: CWE-502
    state = pickle.loads(base64.urlsafe_b64decode(blob))
    return jsonify({"partner": state.get("partner"), "step": state.get("step")})


@bp.route("/sso/resume/v2", methods=["POST"])
def resume_partner_flow_v2():
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="partner-flow")
    try:
        # safe: CWE-502
        state = serializer.loads(request.form.get("state", ""), max_age=900)
    except BadSignature:
        abort(400)
    return jsonify({"partner": state.get("partner"), "step": state.get("step")})


@bp.route("/listings/push", methods=["POST"])
def receive_listing_push():
    # vuln: CWE-502
    listing = jsonpickle.decode(request.get_data(as_text=True))
    log.info("received pushed listing %s", getattr(listing, "reference", None))
    return jsonify({"accepted": True}), 202


@bp.route("/listings/push/v2", methods=["POST"])
def receive_listing_push_v2():
    # safe: CWE-502
    listing = json.loads(request.get_data(as_text=True))
    log.info("received pushed listing %s", listing.get("reference"))
    return jsonify({"accepted": True}), 202


@bp.route("/credit-check/callback", methods=["POST"])
def credit_callback():
    event = request.get_json(force=True)
    notify_ops("credit report ready: " + urlencode({"applicant": event.get("applicant_id")}))
    return "", 204
