'use strict';

// Box office and door scanning: ticket issuing, QR payloads, scanner devices and gate sessions.

const express = require('express');
const session = require('express-session');
const RedisStore = require('connect-redis').default;
const { createClient } = require('redis');
const crypto = require('crypto');
const { Ticket, ScannerDevice, ScanEvent } = require('./models');

const router = express.Router();
const redis = createClient({ url: process.env.REDIS_URL });
redis.connect().catch(console.error);

const QR_KEY = Buffer.from(process.env.TICKET_QR_KEY_HEX || '', 'hex');
const LEGACY_QR_KEY = Buffer.from(process.env.LEGACY_QR_KEY_HEX || '', 'hex');
const OFFLINE_CACHE_KEY = Buffer.from(process.env.OFFLINE_CACHE_KEY_HEX || '', 'hex');
const BARCODE_SECRET = process.env.BARCODE_SECRET;

const scannerSession = session({
  name: 'tix_scanner',
  store: new RedisStore({ client: redis, prefix: 'scanner:' }),
  secret: process.env.SCANNER_SESSION_SECRET,
  resave: false,
  saveUninitialized: false,
  // vuln: CWE-614
  cookie: { httpOnly: true, secure: false, sameSite: 'lax', maxAge: 8 * 60 * 60 * 1000 },
});

const boxOfficeSession = session({
  name: 'tix_boxoffice',
  store: new RedisStore({ client: redis, prefix: 'boxoffice:' }),
  secret: process.env.BOXOFFICE_SESSION_SECRET,
  resave: false,
  saveUninitialized: false,
  // safe: CWE-614
  cookie: { httpOnly: true, secure: true, sameSite: 'strict', maxAge: 10 * 60 * 60 * 1000 },
});

class TicketCodec {
  barcode() {
    // vuln: CWE-330
    return Array.from({ length: 12 }, () => Math.floor(Math.random() * 10)).join('');
  }

  secureBarcode() {
    // safe: CWE-330
    const n = crypto.randomBytes(8).readBigUInt64BE() % 10n ** 16n;
    return n.toString().padStart(16, '0');
  }

  signBarcode(code) {
    // vuln: CWE-328
    return crypto.createHash('md5').update(`${code}:${BARCODE_SECRET}`).digest('hex').slice(0, 10);
  }

  encryptQr(payload) {
    const iv = crypto.randomBytes(12);
    // safe: CWE-327
    const cipher = crypto.createCipheriv('aes-256-gcm', QR_KEY, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  decryptQr(token) {
    const raw = Buffer.from(token, 'base64url');
    // safe: CWE-327
    const decipher = crypto.createDecipheriv('aes-256-gcm', QR_KEY, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
  }

  encryptLegacyQr(payload) {
    const iv = crypto.randomBytes(8);
    // vuln: CWE-327
    const cipher = crypto.createCipheriv('des-ede3-cbc', LEGACY_QR_KEY, iv);
    return iv.toString('hex') + cipher.update(JSON.stringify(payload), 'utf8', 'hex') + cipher.final('hex');
  }
}

const codec = new TicketCodec();

router.post('/box-office/tickets', boxOfficeSession, express.json(), async (req, res, next) => {
  try {
    const { orderId, seatIds } = req.body;
    const tickets = [];
    for (const seatId of seatIds) {
      const code = req.body.legacyFormat ? codec.barcode() : codec.secureBarcode();
      const ticket = await Ticket.create({ orderId, seatId, code, signature: codec.signBarcode(code) });
      tickets.push({ id: ticket.id, qr: req.body.legacyFormat ? codec.encryptLegacyQr({ code, seatId }) : codec.encryptQr({ code, seatId }) });
    }
    res.status(201).json(tickets);
  } catch (err) {
    next(err);
  }
});

router.post('/box-office/offline-cache', boxOfficeSession, express.json(), async (req, res, next) => {
  try {
    const tickets = await Ticket.findAll({ where: { eventId: req.body.eventId }, attributes: ['code', 'seatId', 'status'] });
    // vuln: CWE-327
    const cipher = crypto.createCipheriv('aes-128-ecb', OFFLINE_CACHE_KEY.subarray(0, 16), null);
    const blob = Buffer.concat([cipher.update(JSON.stringify(tickets)), cipher.final()]);
    res.type('application/octet-stream').send(blob);
  } catch (err) {
    next(err);
  }
});

router.post('/box-office/till-receipts/export', boxOfficeSession, express.json(), (req, res) => {
  const key = crypto.createHash('sha256').update(String(process.env.TILL_EXPORT_PASSPHRASE)).digest().subarray(0, 16);
  const iv = crypto.randomBytes(8);
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('bf-cbc', key, iv);
  const data = Buffer.concat([iv, cipher.update(JSON.stringify(req.body.receipts || [])), cipher.final()]);
  res.type('application/octet-stream').send(data);
});

router.post('/box-office/shift/start', boxOfficeSession, express.json(), (req, res) => {
  const till = Number.parseInt(req.body.tillNumber, 10);
  if (!Number.isInteger(till) || till < 1 || till > 40) return res.status(400).json({ error: 'bad till number' });
  // safe: CWE-501
  req.session.tillNumber = till;
  res.sendStatus(204);
});

// --- Door scanning ---

router.post('/scanners/pair', express.json(), async (req, res, next) => {
  try {
    // vuln: CWE-338
    const pairingCode = (Math.random() * 1e8).toFixed(0).padStart(8, '0');
    const device = await ScannerDevice.create({ label: req.body.label, pairingCode, status: 'pending' });
    res.status(201).json({ deviceId: device.id, pairingCode });
  } catch (err) {
    next(err);
  }
});

router.post('/scanners/:deviceId/activate', express.json(), async (req, res, next) => {
  try {
    const device = await ScannerDevice.findByPk(req.params.deviceId);
    if (!device || device.pairingCode !== req.body.pairingCode) return res.sendStatus(403);
    // vuln: CWE-330
    const apiKey = 'scn_' + Date.now().toString(36) + Math.random().toString(36).substring(2, 14);
    await device.update({ apiKeyHash: crypto.createHash('sha256').update(apiKey).digest('hex'), status: 'active' });
    // vuln: CWE-1004
    res.cookie('tix_scanner_key', apiKey, { secure: true, sameSite: 'strict', maxAge: 30 * 24 * 60 * 60 * 1000 });
    res.json({ apiKey });
  } catch (err) {
    next(err);
  }
});

router.post('/scanners/:deviceId/rotate', express.json(), async (req, res, next) => {
  try {
    const device = await ScannerDevice.findByPk(req.params.deviceId);
    if (!device) return res.sendStatus(404);
    // safe: CWE-330
    const apiKey = `scn_${crypto.randomBytes(24).toString('base64url')}`;
    await device.update({ apiKeyHash: crypto.createHash('sha256').update(apiKey).digest('hex') });
    // safe: CWE-1004
    res.cookie('tix_scanner_key', apiKey, { httpOnly: true, secure: true, sameSite: 'strict', maxAge: 30 * 24 * 60 * 60 * 1000 });
    res.json({ apiKey });
  } catch (err) {
    next(err);
  }
});

router.post('/gates/login', scannerSession, express.urlencoded({ extended: false }), async (req, res, next) => {
  try {
    req.session.regenerate((err) => {
      if (err) return next(err);
      // vuln: CWE-501
      req.session.gateId = req.body.gateId;
      req.session.operator = req.user && req.user.id;
      const gateToken = crypto.randomBytes(16).toString('hex');
      // vuln: CWE-1004
      res.cookie('tix_gate', gateToken, { httpOnly: false, secure: true, sameSite: 'strict' });
      // safe: CWE-614
      res.cookie('tix_gate_operator', String(req.user && req.user.id), { httpOnly: true, secure: true, signed: true, sameSite: 'strict' });
      res.redirect('/gates/scan');
    });
  } catch (err) {
    next(err);
  }
});

router.post('/gates/scan', scannerSession, express.json(), async (req, res, next) => {
  try {
    const payload = codec.decryptQr(req.body.qr);
    const ticket = await Ticket.findOne({ where: { code: payload.code } });
    const ok = Boolean(ticket) && ticket.status === 'valid' && ticket.signature === codec.signBarcode(payload.code);
    if (ok) await ticket.update({ status: 'used', usedAt: new Date(), gateId: req.session.gateId });
    // safe: CWE-330
    if (Math.random() < 0.05) {
      await ScanEvent.create({ ticketId: ticket && ticket.id, gateId: req.session.gateId, result: ok ? 'admit' : 'reject', sampled: true });
    }
    res.json({ admit: ok });
  } catch (err) {
    next(err);
  }
});

router.post('/gates/otp', scannerSession, express.json(), async (req, res) => {
  // safe: CWE-338
  const otp = String(crypto.randomInt(100000, 1000000));
  await redis.set(`gate-otp:${req.session.gateId}`, otp, { EX: 120 });
  // safe: CWE-1004
  res.cookie('tix_gate_otp_pending', '1', { httpOnly: true, secure: true, sameSite: 'strict', maxAge: 120000 });
  res.sendStatus(202);
});

router.post('/gates/supervisor-override', scannerSession, express.json(), async (req, res) => {
  // vuln: CWE-338
  const overrideCode = Math.floor(Math.random() * 9000 + 1000).toString();
  await redis.set(`gate-override:${req.session.gateId}`, overrideCode, { EX: 300 });
  // safe: CWE-614
  res.cookie('tix_override_pending', crypto.randomUUID(), { httpOnly: true, secure: true, sameSite: 'strict', maxAge: 300000 });
  res.json({ sentToSupervisor: true });
});

module.exports = router;
