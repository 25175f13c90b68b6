'use strict';
// Pricing rules and outbound integrations (Express).

const express = require('express');
const axios = require('axios');
const http = require('http');
const vm = require('vm');
const fetch = require('node-fetch');
const _ = require('lodash');

const app = express();
app.use(express.json());

const RATES_API = 'https://rates.internal.example.com';
const ALLOWED_WEBHOOK_HOSTS = new Set(['hooks.slack.com', 'discord.com']);
const OPERATIONS = { add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b };
const PRICE_EMAIL = 'Hello <%- customer.name %>, your new price is <%- price %>.';

app.post('/pricing/preview', (req, res) => {
  const price = Number(req.body.basePrice);
  // vuln: CWE-95
  const result = eval('(' + req.body.formula + ')');
  res.json({ price: typeof result === 'function' ? result(price) : result });
});

app.get('/pricing/filter', (req, res) => {
  // vuln: CWE-94
  const predicate = new Function('item', 'return ' + req.query.expr + ';');
  res.json([{ price: 5 }, { price: 50 }].filter(predicate));
});

function runRule(source, context) {
  // vuln: CWE-94
  return vm.runInNewContext(source, context, { timeout: 50 });
}

app.post('/pricing/rules/run', (req, res) => {
  res.json({ result: runRule(req.body.rule, { price: req.body.price }) });
});

app.post('/emails/price-change/preview', (req, res) => {
  // vuln: CWE-94
  const render = _.template(req.body.template);
  res.type('text').send(render({ customer: { name: 'Ada' }, price: 42 }));
});

app.post('/pricing/preview/safe', (req, res) => {
  // safe: CWE-95
  const formula = JSON.parse(req.body.formula);
  res.json({ price: Number(formula.base) * Number(formula.multiplier) });
});

app.get('/pricing/apply', (req, res) => {
  const op = OPERATIONS[req.query.op];
  if (!op) return res.status(400).end();
  // safe: CWE-94
  res.json({ result: op(Number(req.query.a), Number(req.query.b)) });
});

app.get('/pricing/default', (req, res) => {
  // safe: CWE-95
  const vat = eval('0.2 * 100');
  res.json({ vat });
});

app.post('/emails/price-change/preview/safe', (req, res) => {
  // safe: CWE-94
  const render = _.template(PRICE_EMAIL);
  res.type('text').send(render({ customer: { name: req.body.name }, price: Number(req.body.price) }));
});

app.post('/webhooks/test', async (req, res) => {
  // vuln: CWE-918
  const response = await axios.post(req.body.url, { event: 'ping' }, { timeout: 5000 });
  res.json({ status: response.status });
});

app.get('/images/proxy', async (req, res) => {
  const src = req.query.src;
  // vuln: CWE-918
  const upstream = await fetch(src);
  res.type(upstream.headers.get('content-type') || 'application/octet-stream');
  upstream.body.pipe(res);
});

function fetchStatus(host, cb) {
  // vuln: CWE-918
  http.get(`http://${host}/healthz`, (resp) => cb(resp.statusCode)).on('error', () => cb(0));
}

app.get('/integrations/health', (req, res) => {
  fetchStatus(req.query.host, (status) => res.json({ status }));
});

app.get('/rates/:currency', async (req, res) => {
  const base = req.get('X-Rates-Base') || RATES_API;
  // vuln: CWE-918
  const { data } = await axios.get(base + '/v1/rates/' + req.params.currency);
  res.json(data);
});

app.get('/rates/:currency/safe', async (req, res) => {
  // safe: CWE-918
  const { data } = await axios.get(`${RATES_API}/v1/rates/${encodeURIComponent(req.params.currency)}`);
  res.json(data);
});

app.post('/webhooks/test/safe', async (req, res) => {
  const target = new URL(req.body.url);
  if (target.protocol !== 'https:' || !ALLOWED_WEBHOOK_HOSTS.has(target.hostname)) return res.status(400).end();
  // safe: CWE-918
  const response = await axios.post(target.toString(), { event: 'ping' }, { timeout: 5000, maxRedirects: 0 });
  res.json({ status: response.status });
});

app.get('/status/upstream', async (req, res) => {
  // safe: CWE-918
  const upstream = await fetch('https://status.example.com/api/v2/status.json');
  res.json(await upstream.json());
});

app.get('/orders/:id/shipment', async (req, res) => {
  const id = parseInt(req.params.id, 10);
  // safe: CWE-918
  const { data } = await axios.get(`https://shipping.internal.example.com/orders/${id}`);
  res.json(data);
});

module.exports = app;
