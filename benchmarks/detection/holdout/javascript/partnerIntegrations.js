'use strict';

// Partner integrations: payment provider callbacks, resale marketplace feeds, venue-system webhooks.

const express = require('express');
const crypto = require('crypto');
const http = require('http');
const https = require('https');
const axios = require('axios');
const got = require('got');
const libxmljs = require('libxmljs2');
const xml2js = require('xml2js');
const serialize = require('node-serialize');
const { BSON } = require('bson');
const YAML = require('yaml');
const cookieParser = require('cookie-parser');
const { Partner, ResaleListing, VenueWebhook, Order } = require('./models');

const router = express.Router();
router.use(cookieParser());

// vuln: CWE-798
const stripe = require('stripe')('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');
// safe: CWE-798
const stripeWebhookSecret = process.env.STRIPE_WEBHOOK_SECRET;

const RESALE_API = 'https://api.resale-partner.example.net/v1';
const FEED_HOSTS = new Set(['feeds.resale-partner.example.net', 'export.stubmarket.example.com', 'partners.ticketswap.example.org']);

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withRetry(fn, attempts = 4) {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts - 1) throw err;
      // safe: CWE-330
      const jitter = Math.floor(Math.random() * 250);
      await sleep(2 ** i * 200 + jitter);
    }
  }
}

class PartnerSignature {
  constructor(secret) {
    this.secret = secret;
  }

  legacy(body) {
    // vuln: CWE-328
    return crypto.createHash('sha1').update(this.secret + body).digest('hex');
  }

  current(body) {
    // safe: CWE-328
    return crypto.createHmac('sha256', this.secret).update(body).digest('hex');
  }

  matches(expected, actual) {
    const a = Buffer.from(String(expected || ''));
    const b = Buffer.from(String(actual || ''));
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }
}

// --- Payment provider ---

router.post('/callbacks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
  let event;
  try {
    event = stripe.webhooks.constructEvent(req.body, req.get('Stripe-Signature'), stripeWebhookSecret);
  } catch (err) {
    return res.status(400).send(`Webhook error: ${err.message}`);
  }
  if (event.type === 'charge.refunded') {
    await Order.update({ status: 'refunded' }, { where: { paymentId: event.data.object.payment_intent } });
  }
  res.sendStatus(200);
});

router.post('/callbacks/payflow', express.text({ type: ['application/xml', 'text/xml'] }), async (req, res, next) => {
  try {
    // vuln: CWE-611
    const doc = libxmljs.parseXmlString(req.body, { noent: true });
    const reference = doc.get('//notification/merchantReference').text();
    const status = doc.get('//notification/status').text();
    await Order.update({ status: status === 'SETTLED' ? 'paid' : 'failed' }, { where: { reference } });
    res.send('[accepted]');
  } catch (err) {
    next(err);
  }
});

router.post('/callbacks/payflow/v2', express.text({ type: ['application/xml', 'text/xml'] }), async (req, res, next) => {
  try {
    // safe: CWE-611
    const doc = libxmljs.parseXml(req.body, { nonet: true });
    const reference = doc.get('//notification/merchantReference').text();
    await Order.update({ status: 'paid' }, { where: { reference } });
    res.send('[accepted]');
  } catch (err) {
    next(err);
  }
});

router.post('/callbacks/giftcards', express.json(), async (req, res, next) => {
  try {
    const partner = await Partner.findOne({ where: { code: 'giftcards' } });
    const signer = new PartnerSignature(partner.sharedSecret);
    const raw = JSON.stringify(req.body);
    const sig = req.get('X-Signature-Version') === '2' ? signer.current(raw) : signer.legacy(raw);
    if (!signer.matches(sig, req.get('X-Signature'))) return res.sendStatus(401);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

// --- Resale marketplace ---

router.post('/resale/partners', express.json(), async (req, res, next) => {
  try {
    const { name, feedUrl } = req.body;
    // vuln: CWE-918
    const probe = await axios.get(feedUrl, { timeout: 5000, maxRedirects: 3 });
    const partner = await Partner.create({ name, feedUrl, lastProbeStatus: probe.status });
    res.status(201).json({ id: partner.id });
  } catch (err) {
    next(err);
  }
});

router.post('/resale/partners/:id/sync', async (req, res, next) => {
  try {
    const partner = await Partner.findByPk(req.params.id);
    if (!partner) return res.sendStatus(404);
    const feedUrl = new URL(partner.feedUrl);
    if (feedUrl.protocol !== 'https:' || !FEED_HOSTS.has(feedUrl.hostname)) return res.status(400).json({ error: 'feed host not allowed' });
    // safe: CWE-918
    const feed = await withRetry(() => axios.get(feedUrl.toString(), { timeout: 10000, maxRedirects: 0, responseType: 'text' }));
    // safe: CWE-611
    const parsed = await xml2js.parseStringPromise(feed.data, { explicitArray: false });
    const listings = [].concat(parsed?.feed?.listing || []);
    await ResaleListing.bulkCreate(listings.map((l) => ({ partnerId: partner.id, eventRef: l.event, seat: l.seat, priceCents: Number(l.price) })));
    const etag = req.get('If-None-Match');
    // safe: CWE-328
    const digest = crypto.createHash('md5').update(feed.data).digest('hex');
    if (etag === `"${digest}"`) return res.sendStatus(304);
    res.set('ETag', `"${digest}"`).json({ imported: listings.length });
  } catch (err) {
    next(err);
  }
});

router.post('/resale/feeds/push', express.text({ type: ['application/xml', 'text/xml'], limit: '5mb' }), async (req, res, next) => {
  try {
    // vuln: CWE-611
    const doc = libxmljs.parseXml(req.body, { noblanks: true, noent: true, dtdload: true });
    const count = doc.find('//listing').length;
    res.json({ received: count });
  } catch (err) {
    next(err);
  }
});

router.get('/resale/listings/:id', async (req, res, next) => {
  try {
    const id = encodeURIComponent(req.params.id);
    // safe: CWE-918
    const data = await got(`${RESALE_API}/listings/${id}`, { timeout: { request: 5000 } }).json();
    res.json(data);
  } catch (err) {
    next(err);
  }
});

router.get('/resale/widget/state', (req, res) => {
  const raw = req.cookies.resale_state;
  if (!raw) return res.json({});
  // vuln: CWE-502
  const state = serialize.unserialize(Buffer.from(raw, 'base64').toString('utf8'));
  res.json({ filters: state.filters, page: state.page });
});

router.get('/resale/widget/prefs', (req, res) => {
  const raw = req.cookies.resale_prefs;
  if (!raw) return res.json({});
  // safe: CWE-502
  const prefs = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  res.json({ filters: prefs.filters, page: Number(prefs.page) || 1 });
});

router.post('/resale/widget/config', express.json(), (req, res) => {
  // vuln: CWE-95
  const config = eval('(' + req.body.serializedConfig + ')');
  res.json({ theme: config.theme, columns: config.columns });
});

// --- Venue systems ---

router.post('/venues/:venueId/webhooks', express.json(), async (req, res, next) => {
  try {
    const callbackUrl = req.body.callbackUrl;
    // vuln: CWE-918
    const verify = await got.post(callbackUrl, { json: { type: 'verification', venueId: req.params.venueId }, timeout: { request: 5000 } });
    await VenueWebhook.create({ venueId: req.params.venueId, callbackUrl, verifiedStatus: verify.statusCode });
    res.status(201).json({ verified: verify.statusCode < 300 });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/logo-proxy', (req, res) => {
  const src = req.query.src;
  const client = String(src).startsWith('https:') ? https : http;
  // vuln: CWE-918
  client.get(src, (upstream) => {
    res.status(upstream.statusCode || 502);
    res.set('Content-Type', upstream.headers['content-type'] || 'application/octet-stream');
    upstream.pipe(res);
  }).on('error', () => res.sendStatus(502));
});

router.get('/venues/:venueId/occupancy', async (req, res, next) => {
  try {
    const hook = await VenueWebhook.findOne({ where: { venueId: req.params.venueId } });
    if (!hook) return res.sendStatus(404);
    const venueHost = new URL(hook.callbackUrl).hostname;
    if (!venueHost.endsWith('.venues.tix.example.com')) return res.status(400).json({ error: 'untrusted venue host' });
    // safe: CWE-918
    const { data } = await axios.get(`https://${venueHost}/api/occupancy`, { timeout: 3000, maxRedirects: 0 });
    res.json(data);
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/sync-state', express.raw({ type: 'application/octet-stream', limit: '2mb' }), async (req, res, next) => {
  try {
    // vuln: CWE-502
    const state = BSON.deserialize(req.body, { evalFunctions: true, cacheFunctions: true });
    res.json({ gates: Object.keys(state.gates || {}).length });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/sync-state/v2', express.raw({ type: 'application/octet-stream', limit: '2mb' }), async (req, res, next) => {
  try {
    // safe: CWE-502
    const state = BSON.deserialize(req.body, { promoteValues: true });
    res.json({ gates: Object.keys(state.gates || {}).length });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/door-plan', express.text({ type: ['application/yaml', 'text/yaml'] }), async (req, res) => {
  // safe: CWE-502
  const plan = YAML.parse(req.body);
  res.json({ doors: (plan.doors || []).length });
});

router.post('/venues/:venueId/legacy-session', express.urlencoded({ extended: false }), (req, res) => {
  // vuln: CWE-502
  const session = serialize.unserialize(req.body.payload);
  res.json({ gate: session.gate, operator: session.operator });
});

module.exports = router;
