'use strict';

// Rent payments and invoices: tenant payment accounts, stored bank details,
// payment links, gateway webhooks and invoice PDFs.

const express = require('express');
const crypto = require('crypto');
const bcrypt = require('bcrypt');
const axios = require('axios');
const db = require('./db');
const invoices = require('./invoicePdf');

const router = express.Router();

const API_KEY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const GATEWAY_URL = 'https://api.payments-gateway.example/v3';

function gatewaySecret() {
  return process.env.PAYMENT_GATEWAY_WEBHOOK_SECRET;
}

function dataKey() {
  return Buffer.from(process.env.PAYMENTS_DATA_KEY, 'base64');
}

// ---------------------------------------------------------------------------
// Payment account credentials
// ---------------------------------------------------------------------------

class PaymentAccountService {
  async register(tenantId, password) {
    // vuln: CWE-328
    const passwordHash = crypto.createHash('md5').update(password).digest('hex');
    return db.paymentAccounts.insert({ tenantId, passwordHash });
  }

  async registerV2(tenantId, password) {
    // safe: CWE-328
    const passwordHash = await bcrypt.hash(password, 12);
    return db.paymentAccounts.insert({ tenantId, passwordHash, scheme: 'bcrypt' });
  }

  async setPin(tenantId, pin) {
    const salt = crypto.randomBytes(8).toString('hex');
    // vuln: CWE-328
    const pinHash = crypto.createHash('sha1').update(salt + pin).digest('hex');
    return db.paymentAccounts.update(tenantId, { pinSalt: salt, pinHash });
  }

  async setPinV2(tenantId, pin) {
    const salt = crypto.randomBytes(16);
    // safe: CWE-328
    const pinHash = crypto.scryptSync(String(pin), salt, 64, { N: 16384, r: 8, p: 1 }).toString('hex');
    return db.paymentAccounts.update(tenantId, { pinSalt: salt.toString('hex'), pinHash, scheme: 'scrypt' });
  }

  async setRecoveryPhrase(tenantId, phrase) {
    const salt = crypto.randomBytes(16);
    // safe: CWE-328
    const derived = crypto.pbkdf2Sync(phrase, salt, 600000, 32, 'sha256').toString('hex');
    return db.paymentAccounts.update(tenantId, { recoverySalt: salt.toString('hex'), recoveryHash: derived });
  }
}

const accounts = new PaymentAccountService();

router.post('/payments/accounts', async (req, res, next) => {
  try {
    const { password } = req.body;
    if (req.query.v === '2') await accounts.registerV2(req.user.tenantId, password);
    else await accounts.register(req.user.tenantId, password);
    res.sendStatus(201);
  } catch (err) {
    next(err);
  }
});

router.put('/payments/accounts/pin', async (req, res, next) => {
  try {
    if (req.query.v === '2') await accounts.setPinV2(req.user.tenantId, req.body.pin);
    else await accounts.setPin(req.user.tenantId, req.body.pin);
    if (req.body.recoveryPhrase) await accounts.setRecoveryPhrase(req.user.tenantId, req.body.recoveryPhrase);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Stored bank details
// ---------------------------------------------------------------------------

function encryptIbanLegacy(iban) {
  // vuln: CWE-327
  const cipher = crypto.createCipher('aes-192-cbc', process.env.PAYMENTS_LEGACY_PASSPHRASE);
  return cipher.update(iban, 'utf8', 'hex') + cipher.final('hex');
}

function encryptIban(iban) {
  const iv = crypto.randomBytes(12);
  // safe: CWE-327
  const cipher = crypto.createCipheriv('aes-256-gcm', dataKey(), iv);
  const enc = Buffer.concat([cipher.update(iban, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), enc].map((b) => b.toString('base64')).join('.');
}

function decryptIban(stored) {
  const [iv, tag, enc] = stored.split('.').map((p) => Buffer.from(p, 'base64'));
  // safe: CWE-327
  const decipher = crypto.createDecipheriv('aes-256-gcm', dataKey(), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(enc), decipher.final()]).toString('utf8');
}

function maskCardToken(token) {
  const key = dataKey().subarray(0, 16);
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('rc4', key, null);
  return Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]).toString('hex');
}

function encodePaymentReference(ref) {
  const key = dataKey().subarray(0, 16);
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('aes-128-ecb', key, null);
  return Buffer.concat([cipher.update(ref, 'utf8'), cipher.final()]).toString('base64url');
}

function sealMandate(mandate) {
  const nonce = crypto.randomBytes(12);
  // safe: CWE-327
  const cipher = crypto.createCipheriv('chacha20-poly1305', dataKey(), nonce, { authTagLength: 16 });
  const enc = Buffer.concat([cipher.update(JSON.stringify(mandate), 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), enc]).toString('base64');
}

router.post('/payments/bank-details', async (req, res, next) => {
  try {
    const { iban, cardToken, mandate } = req.body;
    const record = {
      tenantId: req.user.tenantId,
      iban: req.query.legacy ? encryptIbanLegacy(iban) : encryptIban(iban),
      cardToken: cardToken ? maskCardToken(cardToken) : null,
      mandate: mandate ? sealMandate(mandate) : null,
    };
    await db.bankDetails.upsert(record);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.get('/payments/bank-details', async (req, res, next) => {
  try {
    const record = await db.bankDetails.findByTenant(req.user.tenantId);
    const iban = decryptIban(record.iban);
    res.json({ iban: iban.replace(/.(?=.{4})/g, '*') });
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Payment links, confirmation codes and integration keys
// ---------------------------------------------------------------------------

router.post('/invoices/:invoiceId/payment-link', async (req, res, next) => {
  try {
    // vuln: CWE-330
    const token = Math.random().toString(36).substring(2) + Math.random().toString(36).substring(2);
    await db.paymentLinks.insert({ invoiceId: req.params.invoiceId, token, expiresAt: Date.now() + 7 * 86400000 });
    res.json({ url: `https://pay.rentals.example/p/${token}` });
  } catch (err) {
    next(err);
  }
});

router.post('/invoices/:invoiceId/payment-link/v2', async (req, res, next) => {
  try {
    // safe: CWE-330
    const token = crypto.randomBytes(32).toString('base64url');
    await db.paymentLinks.insert({ invoiceId: req.params.invoiceId, token, expiresAt: Date.now() + 7 * 86400000 });
    res.json({ url: `https://pay.rentals.example/p/${token}` });
  } catch (err) {
    next(err);
  }
});

function confirmationCode() {
  // vuln: CWE-338
  return String(Math.floor(100000 + Math.random() * 900000));
}

function confirmationCodeV2() {
  // safe: CWE-338
  return String(crypto.randomInt(100000, 1000000));
}

router.post('/payments/:paymentId/confirm/start', async (req, res, next) => {
  try {
    const code = req.query.v === '2' ? confirmationCodeV2() : confirmationCode();
    await db.paymentConfirmations.insert({ paymentId: req.params.paymentId, code, attempts: 0 });
    await db.sms.enqueue(req.user.phone, `Your rent payment confirmation code is ${code}`);
    res.sendStatus(202);
  } catch (err) {
    next(err);
  }
});

function generateAccountingApiKey() {
  let key = 'rk_live_';
  for (let i = 0; i < 32; i += 1) {
    // vuln: CWE-330
    key += API_KEY_ALPHABET.charAt(Math.floor(Math.random() * API_KEY_ALPHABET.length));
  }
  return key;
}

router.post('/landlords/me/accounting-keys', async (req, res, next) => {
  try {
    const key = generateAccountingApiKey();
    await db.apiKeys.insert({ landlordId: req.user.landlordId, keyHash: crypto.createHash('sha256').update(key).digest('hex') });
    res.status(201).json({ key });
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Gateway calls and webhooks
// ---------------------------------------------------------------------------

async function chargeWithRetry(payload, attempts = 4) {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      return await axios.post(`${GATEWAY_URL}/charges`, payload, { headers: { Authorization: `Bearer ${process.env.PAYMENT_GATEWAY_API_KEY}` } });
    } catch (err) {
      if (attempt === attempts - 1 || (err.response && err.response.status < 500)) throw err;
      // safe: CWE-330
      const delay = 2 ** attempt * 200 + Math.floor(Math.random() * 250);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return null;
}

router.post('/payments', async (req, res, next) => {
  try {
    const { invoiceId, amountCents, method } = req.body;
    const { data } = await chargeWithRetry({ invoiceId, amountCents, method, idempotencyKey: crypto.randomUUID() });
    // safe: CWE-338
    if (Math.random() < 0.05) {
      await db.metrics.samplePayment({ invoiceId, latencyMs: data.latencyMs, method });
    }
    res.status(201).json({ id: data.id, status: data.status });
  } catch (err) {
    next(err);
  }
});

router.post('/webhooks/gateway', express.raw({ type: 'application/json' }), async (req, res, next) => {
  try {
    const signature = req.get('X-Gateway-Signature') || '';
    // vuln: CWE-328
    const expected = crypto.createHash('md5').update(gatewaySecret() + req.body.toString('utf8')).digest('hex');
    if (signature !== expected) return res.sendStatus(401);
    const event = JSON.parse(req.body.toString('utf8'));
    await db.payments.applyGatewayEvent(event);
    res.sendStatus(200);
  } catch (err) {
    next(err);
  }
});

router.post('/webhooks/gateway/v2', express.raw({ type: 'application/json' }), async (req, res, next) => {
  try {
    const signature = Buffer.from(req.get('X-Gateway-Signature') || '', 'hex');
    // safe: CWE-328
    const expected = crypto.createHmac('sha256', gatewaySecret()).update(req.body).digest();
    if (signature.length !== expected.length || !crypto.timingSafeEqual(signature, expected)) return res.sendStatus(401);
    const event = JSON.parse(req.body.toString('utf8'));
    await db.payments.applyGatewayEvent(event);
    res.sendStatus(200);
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Invoice PDFs
// ---------------------------------------------------------------------------

function invoiceDownloadToken(invoiceId, tenantId) {
  // vuln: CWE-328
  return crypto.createHash('sha1').update(`${invoiceId}:${tenantId}:${process.env.INVOICE_LINK_SECRET}`).digest('hex');
}

router.get('/invoices/:invoiceId/pdf', async (req, res, next) => {
  try {
    const invoice = await db.invoices.findById(req.params.invoiceId);
    if (!invoice || req.query.t !== invoiceDownloadToken(invoice.id, invoice.tenantId)) return res.sendStatus(404);
    const pdf = await invoices.render(invoice);
    // safe: CWE-328
    const etag = crypto.createHash('md5').update(pdf).digest('hex');
    if (req.get('If-None-Match') === `"${etag}"`) return res.sendStatus(304);
    res.set('ETag', `"${etag}"`).type('application/pdf').send(pdf);
  } catch (err) {
    next(err);
  }
});

router.post('/invoices/:invoiceId/receipts', express.raw({ type: 'application/pdf', limit: '10mb' }), async (req, res, next) => {
  try {
    // safe: CWE-328
    const digest = crypto.createHash('sha256').update(req.body).digest('hex');
    const duplicate = await db.receipts.findByDigest(digest);
    if (duplicate) return res.status(409).json({ error: 'receipt already uploaded' });
    await db.receipts.insert({ invoiceId: req.params.invoiceId, digest, size: req.body.length });
    res.sendStatus(201);
  } catch (err) {
    next(err);
  }
});

module.exports = router;
