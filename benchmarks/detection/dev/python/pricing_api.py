"""Pricing rules and webhook previews (FastAPI)."""

import ast
import operator
import urllib.request
from urllib.parse import quote, urlparse

import httpx
import requests
from fastapi import Body, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel

app = FastAPI()
RATES_API = "https://rates.internal.example.com"
ALLOWED_IMAGE_HOSTS = {"images.example-cdn.com", "static.example.com"}
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


class Rule(BaseModel):
    name: str
    expression: str


class Webhook(BaseModel):
    url: str
    event: str


@app.post("/pricing/preview")
def preview_rule(rule: Rule, base_price: float = 10.0):
    # vuln: CWE-95
    price = eval(rule.expression, {"__builtins__": {}}, {"price": base_price})
    return {"rule": rule.name, "price": price}


@app.get("/pricing/discount")
def discount(formula: str = Query(...), price: float = 100.0):
    code = "result = " + formula
    scope = {"price": price}
    # vuln: CWE-95
    exec(code, scope)
    return {"price": scope["result"]}


def build_adjuster(body: str):
    source = f"def adjust(price):\n    return {body}\n"
    namespace: dict = {}
    # vuln: CWE-94
    exec(compile(source, "<pricing-rule>", "exec"), namespace)
    return namespace["adjust"]


@app.post("/pricing/adjust")
def adjust(payload: dict = Body(...)):
    adjuster = build_adjuster(payload["body"])
    return {"price": adjuster(payload.get("price", 0))}


@app.get("/pricing/tiers")
def tiers(x_tier_filter: str = Header(default="True")):
    # vuln: CWE-95
    keep = eval(x_tier_filter)
    return {"keep": bool(keep)}


@app.post("/pricing/parse-list")
def parse_list(raw: str = Body(..., embed=True)):
    # safe: CWE-95
    values = ast.literal_eval(raw)
    return {"values": list(values)}


@app.get("/pricing/apply")
def apply_operator(op: str, a: float, b: float):
    if op not in OPERATORS:
        raise HTTPException(400, "unknown operator")
    # safe: CWE-95
    return {"result": OPERATORS[op](a, b)}


@app.get("/pricing/default")
def default_rule():
    # safe: CWE-95
    price = eval("10 * 1.2")
    return {"price": price}


@app.post("/pricing/weights")
def weights(raw: str = Body(..., embed=True)):
    # safe: CWE-95
    parsed = [float(part) for part in raw.split(",")]
    return {"weights": parsed}


@app.post("/webhooks/test")
def test_webhook(hook: Webhook):
    # vuln: CWE-918
    response = requests.post(hook.url, json={"event": hook.event, "test": True}, timeout=5)
    return {"status": response.status_code}


@app.get("/images/proxy")
def proxy_image(src: str):
    # vuln: CWE-918
    with urllib.request.urlopen(src) as upstream:
        return {"bytes": len(upstream.read())}


async def fetch_feed(feed_url: str) -> str:
    async with httpx.AsyncClient() as client:
        # vuln: CWE-918
        response = await client.get(feed_url)
        return response.text


@app.get("/feeds/preview")
async def preview_feed(url: str = Query(...)):
    return {"body": (await fetch_feed(url))[:500]}


@app.get("/rates/{currency}")
def rate_for(currency: str, x_rates_host: str = Header(default="rates.internal.example.com")):
    # vuln: CWE-918
    return requests.get(f"http://{x_rates_host}/v1/rates/{currency}", timeout=3).json()


@app.get("/rates/safe/{currency}")
def rate_for_fixed_host(currency: str):
    # safe: CWE-918
    return requests.get(f"{RATES_API}/v1/rates/{quote(currency, safe='')}", timeout=3).json()


@app.get("/images/proxy/checked")
def proxy_image_checked(src: str):
    parsed = urlparse(src)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_IMAGE_HOSTS:
        raise HTTPException(400, "image host not allowed")
    # safe: CWE-918
    response = requests.get(src, timeout=5, allow_redirects=False)
    return {"bytes": len(response.content)}


@app.get("/status/upstream")
def upstream_status():
    # safe: CWE-918
    response = requests.get("https://status.example.com/api/v2/status.json", timeout=3)
    return response.json()


@app.get("/orders/{order_id}/shipment")
def shipment(order_id: int):
    # safe: CWE-918
    response = httpx.get(f"https://shipping.internal.example.com/orders/{order_id}", timeout=5)
    return response.json()
