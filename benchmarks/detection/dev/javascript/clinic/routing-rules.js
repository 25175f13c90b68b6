'use strict';
// Routing-rule service for the dispatch team (plain Node http server) and carrier callbacks.

const http = require('http');
const https = require('https');
const { URL } = require('url');
const vm = require('vm');
const ejs = require('ejs');
const got = require('got');
const { request: undiciRequest } = require('undici');

const CARRIER_API = 'https://api.carrier.example.com';
const CALLBACK_HOSTS = new Set(['callbacks.partner-a.example.com', 'hooks.partner-b.example.com']);
const PRIORITY = { express: 1, standard: 2, economy: 3 };
const NOTICE_TEMPLATE = '<p>Driver <%= driver %>: your route starts at <%= depot %>.</p>';

function readJson(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => { try { resolve(JSON.parse(data || '{}')); } catch (err) { reject(err); } });
  });
}

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function evaluateRule(req, res) {
  const body = await readJson(req);
  const parcel = body.parcel;
  // vuln: CWE-95
  const matches = eval(`(function(parcel) { return ${body.condition}; })`)(parcel);
  send(res, 200, { matches: Boolean(matches) });
}

async function scoreRoute(req, res, url) {
  const weights = url.searchParams.get('weights');
  // vuln: CWE-94
  const score = Function('distance', 'stops', `return ${weights};`)(120, 4);
  send(res, 200, { score });
}

function compileRule(source) {
  const script = new vm.Script(source);
  // vuln: CWE-94
  return script.runInThisContext();
}

async function testRule(req, res) {
  const body = await readJson(req);
  send(res, 200, { result: compileRule(body.source) });
}

async function previewNotice(req, res) {
  const body = await readJson(req);
  // vuln: CWE-94
  const html = ejs.render(body.template, { driver: body.driver, depot: body.depot });
  send(res, 200, { html });
}

async function evaluateRuleSafe(req, res) {
  const body = await readJson(req);
  const { field, op, value } = body.condition;
  const actual = body.parcel[field];
  // safe: CWE-95
  const matches = op === 'eq' ? actual === value : op === 'gt' ? Number(actual) > Number(value) : false;
  send(res, 200, { matches });
}

async function scoreRouteSafe(req, res, url) {
  // safe: CWE-94
  const weights = JSON.parse(url.searchParams.get('weights') || '{"distance":1,"stops":10}');
  send(res, 200, { score: 120 * Number(weights.distance) + 4 * Number(weights.stops) });
}

async function priorityFor(req, res, url) {
  // safe: CWE-94
  const priority = PRIORITY[url.searchParams.get('service')] ?? PRIORITY.standard;
  send(res, 200, { priority });
}

async function previewNoticeSafe(req, res) {
  const body = await readJson(req);
  // safe: CWE-94
  const html = ejs.render(NOTICE_TEMPLATE, { driver: body.driver, depot: body.depot });
  send(res, 200, { html });
}

async function registerCallback(req, res) {
  const body = await readJson(req);
  // vuln: CWE-918
  const response = await got.post(body.callbackUrl, { json: { event: 'registered' }, timeout: { request: 5000 } });
  send(res, 200, { status: response.statusCode });
}

async function fetchLabel(req, res, url) {
  const labelUrl = url.searchParams.get('labelUrl');
  // vuln: CWE-918
  https.get(labelUrl, (upstream) => upstream.pipe(res));
}

async function carrierQuote(req, res, url) {
  const carrier = url.searchParams.get('carrier');
  // vuln: CWE-918
  const { body } = await undiciRequest(`https://${carrier}/v2/quote?weight=${url.searchParams.get('weight')}`);
  send(res, 200, await body.json());
}

async function mirrorManifest(req, res) {
  const target = new URL(req.headers['x-mirror-target']);
  // vuln: CWE-918
  const upstream = http.request({ hostname: target.hostname, port: target.port, path: target.pathname, method: 'PUT' });
  req.pipe(upstream);
  upstream.on('response', (r) => send(res, r.statusCode, {}));
}

async function registerCallbackSafe(req, res) {
  const body = await readJson(req);
  const target = new URL(body.callbackUrl);
  if (target.protocol !== 'https:' || !CALLBACK_HOSTS.has(target.hostname)) return send(res, 400, { error: 'host not allowed' });
  // safe: CWE-918
  const response = await got.post(target, { json: { event: 'registered' }, followRedirect: false });
  send(res, 200, { status: response.statusCode });
}

async function carrierQuoteSafe(req, res, url) {
  const weight = Number.parseFloat(url.searchParams.get('weight'));
  // safe: CWE-918
  const { body } = await undiciRequest(`${CARRIER_API}/v2/quote?weight=${weight}`);
  send(res, 200, await body.json());
}

async function carrierStatus(req, res) {
  // safe: CWE-918
  const response = await got('https://status.carrier.example.com/api/status.json').json();
  send(res, 200, response);
}

async function trackingLink(req, res, url) {
  const tn = encodeURIComponent(url.searchParams.get('tn'));
  // safe: CWE-918
  const response = await got(`${CARRIER_API}/v2/track/${tn}`).json();
  send(res, 200, response);
}

const routes = {
  'POST /rules/evaluate': evaluateRule,
  'GET /routes/score': scoreRoute,
  'POST /rules/test': testRule,
  'POST /notices/preview': previewNotice,
  'POST /rules/evaluate/safe': evaluateRuleSafe,
  'GET /routes/score/safe': scoreRouteSafe,
  'GET /priority': priorityFor,
  'POST /notices/preview/safe': previewNoticeSafe,
  'POST /callbacks': registerCallback,
  'GET /labels/fetch': fetchLabel,
  'GET /quotes': carrierQuote,
  'PUT /manifests/mirror': mirrorManifest,
  'POST /callbacks/safe': registerCallbackSafe,
  'GET /quotes/safe': carrierQuoteSafe,
  'GET /carrier/status': carrierStatus,
  'GET /tracking': trackingLink,
};

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const handler = routes[`${req.method} ${url.pathname}`];
  if (!handler) return send(res, 404, { error: 'not found' });
  handler(req, res, url).catch((err) => send(res, 500, { error: err.message }));
}).listen(8080);
