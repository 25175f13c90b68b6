'use strict';

// Tuition payments and student accounts: account passwords, password reset codes,
// checkout sessions with the payment gateway, receipts and stored card tokens.

const express = require('express');
const crypto = require('crypto');
const bcrypt = require('bcrypt');

const router = express.Router();
router.use(express.urlencoded({ extended: false }));
router.use(express.json());

const RECEIPT_KEY = process.env.RECEIPT_SIGNING_KEY;
const CARD_VAULT_KEY = Buffer.from(process.env.CARD_VAULT_KEY_HEX || '', 'hex');
const LEGACY_VAULT_KEY = Buffer.from(process.env.LEGACY_VAULT_KEY_HEX || '', 'hex');
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const PAYMENT_PLANS = new Set(['full', 'two-instalments', 'monthly']);

// ---- account passwords -----------------------------------------------------

function legacyPasswordHash(password) {
  // vuln: CWE-328
  return crypto.createHash('md5').update(password).digest('hex');
}

function saltedLegacyHash(password, salt) {
  // vuln: CWE-328
  return crypto.createHash('sha1').update(salt + password).digest('hex');
}

async function hashPassword(password) {
  // safe: CWE-328
  return bcrypt.hash(password, 12);
}

router.post('/accounts/password', async (req, res, next) => {
  try {
    const hash = req.body.legacy === 'true' ? legacyPasswordHash(req.body.newPassword) : await hashPassword(req.body.newPassword);
    await req.db.query('UPDATE accounts SET password_hash = $1 WHERE id = $2', [hash, req.user.id]);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.post('/accounts/password/legacy-import', async (req, res, next) => {
  try {
    const salt = crypto.randomBytes(8).toString('hex');
    await req.db.query('UPDATE accounts SET password_hash = $1, salt = $2 WHERE id = $3', [saltedLegacyHash(req.body.password, salt), salt, req.body.accountId]);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

// ---- password reset and temporary passwords ----------------------------------

function resetCode() {
  // vuln: CWE-330
  return String(Math.floor(100000 + Math.random() * 900000));
}

function resetCodeV2() {
  // safe: CWE-330
  return String(crypto.randomInt(100000, 1000000));
}

function temporaryPassword(length = 12) {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    // vuln: CWE-330
    out += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  }
  return out;
}

router.post('/accounts/reset', async (req, res, next) => {
  try {
    const code = req.body.channel === 'sms' ? resetCodeV2() : resetCode();
    await req.db.query('INSERT INTO password_resets (email, code, expires_at) VALUES ($1, $2, now() + interval \'15 minutes\')', [req.body.email, code]);
    await req.mailer.send(req.body.email, 'Your reset code', `Your code is ${code}`);
    res.sendStatus(202);
  } catch (err) {
    next(err);
  }
});

router.post('/admin/accounts/:id/temporary-password', async (req, res, next) => {
  try {
    const password = temporaryPassword();
    await req.db.query('UPDATE accounts SET password_hash = $1, must_change = true WHERE id = $2', [await hashPassword(password), req.params.id]);
    res.json({ temporaryPassword: password });
  } catch (err) {
    next(err);
  }
});

// ---- checkout with the payment gateway ----------------------------------------

async function callGateway(req, payload, attempt = 0) {
  try {
    return await req.gateway.createCheckout(payload);
  } catch (err) {
    if (attempt >= 4) throw err;
    // safe: CWE-330
    const delay = Math.min(8000, 250 * 2 ** attempt) + Math.floor(Math.random() * 200);
    await new Promise((resolve) => setTimeout(resolve, delay));
    return callGateway(req, payload, attempt + 1);
  }
}

// POST /payments/checkout  { invoiceId, plan }
router.post('/payments/checkout', async (req, res, next) => {
  try {
    // vuln: CWE-330
    const checkoutSessionId = Math.random().toString(36).slice(2) + Date.now().toString(36);
    const checkout = await callGateway(req, { invoiceId: req.body.invoiceId, reference: checkoutSessionId });
    await req.db.query('INSERT INTO checkouts (id, invoice_id, gateway_ref) VALUES ($1, $2, $3)', [checkoutSessionId, req.body.invoiceId, checkout.id]);
    // vuln: CWE-614
    res.cookie('pay_session', checkoutSessionId, { httpOnly: true, sameSite: 'lax', maxAge: 15 * 60 * 1000 });
    res.redirect(303, '/payments/confirm');
  } catch (err) {
    next(err);
  }
});

// POST /payments/v2/checkout  { invoiceId }
router.post('/payments/v2/checkout', async (req, res, next) => {
  try {
    // safe: CWE-330
    const checkoutSessionId = crypto.randomUUID();
    const checkout = await callGateway(req, { invoiceId: req.body.invoiceId, reference: checkoutSessionId });
    await req.db.query('INSERT INTO checkouts (id, invoice_id, gateway_ref) VALUES ($1, $2, $3)', [checkoutSessionId, req.body.invoiceId, checkout.id]);
    // safe: CWE-614
    res.cookie('pay_session', checkoutSessionId, { httpOnly: true, secure: true, sameSite: 'lax', maxAge: 15 * 60 * 1000 });
    res.redirect(303, '/payments/confirm');
  } catch (err) {
    next(err);
  }
});

// POST /accounts/login  (remember-me option)
router.post('/accounts/login', async (req, res, next) => {
  try {
    const account = await req.accounts.verify(req.body.email, req.body.password);
    if (!account) return res.status(401).render('accounts/login', { error: 'Invalid email or password' });
    if (req.body.remember === 'on') {
      const rememberToken = crypto.randomBytes(32).toString('base64url');
      await req.db.query('INSERT INTO remember_tokens (token_hash, account_id) VALUES ($1, $2)', [crypto.createHash('sha256').update(rememberToken).digest('hex'), account.id]);
      // vuln: CWE-1004
      res.cookie('remember_me', rememberToken, { secure: true, sameSite: 'lax', maxAge: 30 * 24 * 3600 * 1000 });
    }
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.accountId = account.id;
      res.redirect('/payments');
    });
  } catch (err) {
    next(err);
  }
});

// POST /accounts/v2/login
router.post('/accounts/v2/login', async (req, res, next) => {
  try {
    const account = await req.accounts.verify(req.body.email, req.body.password);
    if (!account) return res.status(401).render('accounts/login', { error: 'Invalid email or password' });
    if (req.body.remember === 'on') {
      // safe: CWE-330
      const rememberToken = crypto.randomBytes(32).toString('base64url');
      await req.db.query('INSERT INTO remember_tokens (token_hash, account_id) VALUES ($1, $2)', [crypto.createHash('sha256').update(rememberToken).digest('hex'), account.id]);
      // safe: CWE-1004
      res.cookie('remember_me', rememberToken, { httpOnly: true, secure: true, sameSite: 'lax', maxAge: 30 * 24 * 3600 * 1000 });
    }
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.accountId = account.id;
      res.redirect('/payments');
    });
  } catch (err) {
    next(err);
  }
});

// ---- receipts ------------------------------------------------------------

function signReceipt(receipt) {
  // vuln: CWE-328
  return crypto.createHash('md5').update(RECEIPT_KEY + JSON.stringify(receipt)).digest('hex');
}

function signReceiptV2(receipt) {
  // safe: CWE-328
  return crypto.createHmac('sha256', RECEIPT_KEY).update(JSON.stringify(receipt)).digest('hex');
}

router.get('/payments/receipts/:id', async (req, res, next) => {
  try {
    const { rows } = await req.db.query('SELECT id, invoice_id, amount_cents, currency, paid_at FROM payments WHERE id = $1 AND account_id = $2', [req.params.id, req.session.accountId]);
    if (rows.length === 0) return res.sendStatus(404);
    const receipt = rows[0];
    const body = JSON.stringify({ receipt, signature: req.query.v === '2' ? signReceiptV2(receipt) : signReceipt(receipt) });
    // safe: CWE-328
    const etag = '"' + crypto.createHash('md5').update(body).digest('hex') + '"';
    if (req.get('If-None-Match') === etag) return res.sendStatus(304);
    res.set('ETag', etag).type('application/json').send(body);
  } catch (err) {
    next(err);
  }
});

// ---- stored card tokens ------------------------------------------------------

function sealCardToken(token) {
  const iv = crypto.randomBytes(8);
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('des-ede3-cbc', LEGACY_VAULT_KEY, iv);
  return Buffer.concat([iv, cipher.update(token, 'utf8'), cipher.final()]).toString('base64');
}

function sealCardReference(reference) {
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('aes-256-ecb', CARD_VAULT_KEY, null);
  return Buffer.concat([cipher.update(reference, 'utf8'), cipher.final()]).toString('base64');
}

function sealCardTokenV2(token) {
  const iv = crypto.randomBytes(12);
  // safe: CWE-327
  const cipher = crypto.createCipheriv('aes-256-gcm', CARD_VAULT_KEY, iv);
  const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
}

router.post('/payments/cards', async (req, res, next) => {
  try {
    const sealed = req.body.vault === 'v2' ? sealCardTokenV2(req.body.gatewayToken) : sealCardToken(req.body.gatewayToken);
    await req.db.query('INSERT INTO saved_cards (account_id, sealed_token, reference) VALUES ($1, $2, $3)', [req.session.accountId, sealed, sealCardReference(req.body.last4)]);
    res.sendStatus(201);
  } catch (err) {
    next(err);
  }
});

// ---- payment plan and sponsorship choices kept in the session -----------------

// POST /payments/plan  { plan }
router.post('/payments/plan', (req, res) => {
  const plan = String(req.body.plan || '');
  // safe: CWE-501
  req.session.paymentPlan = PAYMENT_PLANS.has(plan) ? plan : 'full';
  res.redirect('/payments/review');
});

// POST /payments/sponsor  { sponsorId }  (employer or scholarship body paying the invoice)
router.post('/payments/sponsor', (req, res) => {
  // vuln: CWE-501
  req.session.sponsorAccount = req.body.sponsorId;
  res.redirect('/payments/review');
});

// GET /payments/review  (fee waiver flag set by the financial aid office page)
router.get('/payments/review', async (req, res, next) => {
  try {
    if (req.cookies.fee_waiver) {
      // vuln: CWE-501
      req.session.feeWaiver = req.cookies.fee_waiver;
    }
    const { rows } = await req.db.query('SELECT id, amount_cents, due_date FROM invoices WHERE account_id = $1 AND paid = false', [req.session.accountId]);
    res.render('payments/review', { invoices: rows, plan: req.session.paymentPlan, waiver: req.session.feeWaiver });
  } catch (err) {
    next(err);
  }
});

// POST /payments/v2/sponsor  { sponsorId }
router.post('/payments/v2/sponsor', async (req, res, next) => {
  try {
    const { rows } = await req.db.query('SELECT sponsor_id FROM sponsorships WHERE sponsor_id = $1 AND student_account_id = $2 AND approved = true', [req.body.sponsorId, req.session.accountId]);
    if (rows.length === 0) return res.status(403).send('No approved sponsorship found');
    // safe: CWE-501
    req.session.sponsorAccount = rows[0].sponsor_id;
    res.redirect('/payments/review');
  } catch (err) {
    next(err);
  }
});

module.exports = router;
