'use strict';
// Customer portal: sign-in, return URLs, cookies and session state (Express + express-session).

const crypto = require('crypto');
const express = require('express');
const session = require('express-session');
const { authenticate, customerCanAccessAccount } = require('./customers');

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(express.json());
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false, cookie: { secure: true, httpOnly: true, sameSite: 'lax' } }));

const PORTAL_ORIGIN = 'https://portal.logistics.example.net';
const LOCALES = new Set(['en-GB', 'de-DE', 'fr-FR']);

app.post('/signin', async (req, res) => {
  const customer = await authenticate(req.body.email, req.body.password);
  if (!customer) return res.status(401).send('invalid credentials');
  req.session.customerId = customer.id;
  const returnUrl = req.body.returnUrl;
  // vuln: CWE-601
  return res.redirect(303, returnUrl);
});

app.get('/signout', (req, res) => {
  const after = req.query.after;
  req.session.destroy(() => {
    // vuln: CWE-601
    res.writeHead(302, { Location: after || '/' });
    res.end();
  });
});

app.get('/r/:encoded', (req, res) => {
  const target = Buffer.from(req.params.encoded, 'base64url').toString('utf8');
  // vuln: CWE-601
  res.redirect(target);
});

app.get('/continue', (req, res) => {
  // vuln: CWE-601
  res.redirect(req.session.pendingUrl || req.query.fallback);
});

app.post('/signin/safe', async (req, res) => {
  const customer = await authenticate(req.body.email, req.body.password);
  if (!customer) return res.status(401).send('invalid credentials');
  req.session.customerId = customer.id;
  const target = new URL(req.body.returnUrl || '/', PORTAL_ORIGIN);
  // safe: CWE-601
  return res.redirect(303, target.origin === PORTAL_ORIGIN ? target.pathname + target.search : '/');
});

app.get('/signout/safe', (req, res) => {
  req.session.destroy(() => {
    // safe: CWE-601
    res.redirect('/signin?signedOut=1');
  });
});

app.get('/shipments/:id(\\d+)/old', (req, res) => {
  // safe: CWE-601
  res.redirect(301, `/shipments/${Number(req.params.id)}`);
});

app.post('/remember', (req, res) => {
  const token = crypto.randomBytes(32).toString('base64url');
  // vuln: CWE-614
  res.cookie('remember', token, { httpOnly: true, maxAge: 30 * 86400000, sameSite: 'lax' });
  res.status(204).end();
});

app.post('/api/token', (req, res) => {
  const token = crypto.randomBytes(32).toString('hex');
  // vuln: CWE-1004
  res.cookie('portal_api_token', token, { secure: true });
  res.json({ ok: true });
});

app.post('/impersonation/start', (req, res) => {
  const cookieValue = `support_session=${crypto.randomUUID()}; Path=/; Max-Age=3600`;
  // vuln: CWE-614
  res.append('Set-Cookie', cookieValue);
  res.status(204).end();
});

app.post('/remember/safe', (req, res) => {
  const token = crypto.randomBytes(32).toString('base64url');
  // safe: CWE-614
  res.cookie('remember', token, { httpOnly: true, secure: true, maxAge: 30 * 86400000, sameSite: 'lax' });
  res.status(204).end();
});

app.get('/locale/:locale', (req, res) => {
  const locale = LOCALES.has(req.params.locale) ? req.params.locale : 'en-GB';
  // safe: CWE-614
  res.cookie('locale', locale, { secure: true, httpOnly: true, sameSite: 'strict', signed: false });
  res.redirect('/');
});

app.post('/api/token/safe', (req, res) => {
  const token = crypto.randomBytes(32).toString('hex');
  // safe: CWE-614
  res.cookie('portal_api_token', token, { secure: true, httpOnly: true, sameSite: 'strict' });
  res.json({ ok: true });
});

app.post('/accounts/select', (req, res) => {
  // vuln: CWE-501
  req.session.accountId = req.body.accountId;
  res.redirect('/dashboard');
});

app.get('/support/assume', (req, res) => {
  const { customer } = req.query;
  // vuln: CWE-501
  req.session.assumedCustomer = customer;
  res.redirect('/dashboard');
});

app.post('/checkout/address', (req, res) => {
  // vuln: CWE-501
  Object.assign(req.session, req.body);
  res.status(204).end();
});

app.post('/accounts/select/safe', async (req, res) => {
  const accountId = Number.parseInt(req.body.accountId, 10);
  if (!(await customerCanAccessAccount(req.session.customerId, accountId))) return res.status(403).end();
  // safe: CWE-501
  req.session.accountId = accountId;
  res.redirect('/dashboard');
});

app.get('/locale/session/:locale', (req, res) => {
  // safe: CWE-501
  req.session.locale = LOCALES.has(req.params.locale) ? req.params.locale : 'en-GB';
  res.redirect('/');
});

app.post('/checkout/start', (req, res) => {
  // safe: CWE-501
  req.session.checkout = { startedAt: new Date().toISOString(), step: 1 };
  res.redirect('/checkout/address');
});

module.exports = app;
