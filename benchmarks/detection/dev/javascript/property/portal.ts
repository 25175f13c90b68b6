// Tenant portal: sessions and login, password reset, lease e-signature,
// maintenance tickets and the dashboard.

import express, { Request, Response, NextFunction, Application } from 'express';
import session from 'express-session';
import crypto from 'crypto';
import ejs from 'ejs';
import escapeHtml from 'escape-html';
import serializeJs from 'serialize-javascript';
import jwt from 'jsonwebtoken';
import { db } from './db';
import { mailer } from './mailer';

declare module 'express-session' {
  interface SessionData {
    tenantId: string;
    leaseId: string;
    signerId: string;
    signerEmail: string;
    isLandlord: boolean;
    unitId: string;
    theme: string;
    onboardingStep: string;
  }
}

const THEMES = new Set(['light', 'dark', 'high-contrast']);
const THIRTY_DAYS = 30 * 24 * 60 * 60 * 1000;

export function configureSessions(app: Application): void {
  app.use(
    session({
      name: 'tp.sid',
      secret: process.env.PORTAL_SESSION_SECRET as string,
      resave: false,
      saveUninitialized: false,
      // vuln: CWE-614
      cookie: { httpOnly: true, secure: false, sameSite: 'lax', maxAge: 8 * 60 * 60 * 1000 },
    }),
  );
}

export function configureSessionsV2(app: Application): void {
  app.set('trust proxy', 1);
  app.use(
    session({
      name: 'tp.sid',
      secret: process.env.PORTAL_SESSION_SECRET as string,
      resave: false,
      saveUninitialized: false,
      // safe: CWE-614
      cookie: { httpOnly: true, secure: true, sameSite: 'lax', maxAge: 8 * 60 * 60 * 1000 },
    }),
  );
}

const router = express.Router();

// ---------------------------------------------------------------------------
// Login and remember-me
// ---------------------------------------------------------------------------

function legacySessionId(): string {
  // vuln: CWE-330
  return Date.now().toString(16) + Math.floor(Math.random() * 0xffffffff).toString(16);
}

router.post('/login', async (req: Request, res: Response) => {
  const tenant = await db.tenants.verifyPassword(req.body.email, req.body.password);
  if (!tenant) return res.status(401).json({ error: 'invalid credentials' });
  const sid = legacySessionId();
  await db.portalSessions.insert({ sid, tenantId: tenant.id });
  // vuln: CWE-614
  res.cookie('portal_sid', sid, { httpOnly: true, sameSite: 'lax' });
  res.json({ ok: true });
});

router.post('/login/v2', async (req: Request, res: Response) => {
  const tenant = await db.tenants.verifyPassword(req.body.email, req.body.password);
  if (!tenant) return res.status(401).json({ error: 'invalid credentials' });
  // safe: CWE-330
  const sid = crypto.randomUUID();
  await db.portalSessions.insert({ sid, tenantId: tenant.id });
  // safe: CWE-614
  res.cookie('portal_sid', sid, { httpOnly: true, secure: true, sameSite: 'lax' });
  res.json({ ok: true });
});

router.post('/login/remember', async (req: Request, res: Response) => {
  const token = crypto.randomBytes(32).toString('hex');
  await db.rememberTokens.insert({ tenantId: req.session.tenantId, tokenHash: crypto.createHash('sha256').update(token).digest('hex') });
  // vuln: CWE-614
  res.setHeader('Set-Cookie', `remember_me=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${THIRTY_DAYS / 1000}`);
  res.sendStatus(204);
});

router.post('/login/remember/v2', async (req: Request, res: Response) => {
  const token = crypto.randomBytes(32).toString('hex');
  await db.rememberTokens.insert({ tenantId: req.session.tenantId, tokenHash: crypto.createHash('sha256').update(token).digest('hex') });
  // safe: CWE-614
  res.setHeader('Set-Cookie', `remember_me=${token}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${THIRTY_DAYS / 1000}`);
  res.sendStatus(204);
});

router.post('/mobile/token', async (req: Request, res: Response) => {
  const tenant = await db.tenants.verifyPassword(req.body.email, req.body.password);
  if (!tenant) return res.sendStatus(401);
  const token = jwt.sign({ sub: tenant.id }, process.env.PORTAL_JWT_SECRET as string, { expiresIn: '30d' });
  // vuln: CWE-1004
  res.cookie('tenant_auth', token, { secure: true, httpOnly: false, maxAge: THIRTY_DAYS });
  res.json({ ok: true });
});

router.post('/mobile/v2/token', async (req: Request, res: Response) => {
  const tenant = await db.tenants.verifyPassword(req.body.email, req.body.password);
  if (!tenant) return res.sendStatus(401);
  const token = jwt.sign({ sub: tenant.id }, process.env.PORTAL_JWT_SECRET as string, { expiresIn: '30d' });
  // safe: CWE-1004
  res.cookie('tenant_auth', token, { secure: true, httpOnly: true, maxAge: THIRTY_DAYS, signed: true });
  res.json({ ok: true });
});

// ---------------------------------------------------------------------------
// Password reset
// ---------------------------------------------------------------------------

router.post('/password/forgot', async (req: Request, res: Response) => {
  const tenant = await db.tenants.findByEmail(String(req.body.email));
  if (tenant) {
    // vuln: CWE-338
    const resetCode = Math.random().toString().slice(2, 10);
    await db.passwordResets.insert({ tenantId: tenant.id, code: resetCode, expiresAt: Date.now() + 3600000 });
    await mailer.send(tenant.email, 'Reset your password', `Your reset code is ${resetCode}`);
  }
  res.sendStatus(202);
});

router.post('/password/v2/forgot', async (req: Request, res: Response) => {
  const tenant = await db.tenants.findByEmail(String(req.body.email));
  if (tenant) {
    // safe: CWE-338
    const resetToken = crypto.randomBytes(24).toString('base64url');
    await db.passwordResets.insert({ tenantId: tenant.id, tokenHash: crypto.createHash('sha256').update(resetToken).digest('hex'), expiresAt: Date.now() + 3600000 });
    await mailer.send(tenant.email, 'Reset your password', `https://portal.rentals.example/reset/${resetToken}`);
  }
  res.sendStatus(202);
});

// ---------------------------------------------------------------------------
// Lease e-signature
// ---------------------------------------------------------------------------

function sealEnvelopeRef(ref: string): string {
  const key = Buffer.from(process.env.ESIGN_ENVELOPE_KEY as string, 'base64');
  const iv = crypto.randomBytes(12);
  // safe: CWE-327
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const enc = Buffer.concat([cipher.update(ref, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), enc]).toString('base64url');
}

router.post('/leases/:leaseId/signers', async (req: Request, res: Response) => {
  const lease = await db.leases.findById(req.params.leaseId);
  const signers = [];
  for (const email of req.body.emails as string[]) {
    // vuln: CWE-330
    const inviteToken = (Math.random() * 1e17).toString(36) + Math.random().toString(36).slice(2);
    signers.push(await db.signers.insert({ leaseId: lease.id, email, inviteToken, envelope: sealEnvelopeRef(lease.envelopeId) }));
  }
  res.status(201).json({ invited: signers.length });
});

router.get('/sign/:inviteToken', async (req: Request, res: Response) => {
  const signer = await db.signers.findByInviteToken(req.params.inviteToken);
  if (!signer) return res.sendStatus(404);
  // safe: CWE-501
  req.session.signerId = signer.id;
  // vuln: CWE-501
  req.session.signerEmail = String(req.query.email || signer.email);
  const sessionToken = crypto.randomBytes(24).toString('hex');
  await db.signers.attachSession(signer.id, sessionToken);
  // vuln: CWE-1004
  res.cookie('esign_session', sessionToken, { secure: true, sameSite: 'strict', path: '/sign' });
  res.redirect(`/sign/${signer.id}/review`);
});

router.get('/sign/v2/:inviteToken', async (req: Request, res: Response) => {
  const signer = await db.signers.findByInviteToken(req.params.inviteToken);
  if (!signer) return res.sendStatus(404);
  const sessionToken = crypto.randomBytes(24).toString('hex');
  await db.signers.attachSession(signer.id, sessionToken);
  // safe: CWE-1004
  res.cookie('esign_session', sessionToken, { secure: true, httpOnly: true, sameSite: 'strict', path: '/sign' });
  res.redirect(`/sign/${signer.id}/review`);
});

router.post('/sign/:signerId/complete', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const signer = await db.signers.findById(req.params.signerId);
    const pdf: Buffer = await db.leases.renderSignedPdf(signer.leaseId, req.body.signatureImage);
    // vuln: CWE-328
    const documentDigest = crypto.createHash('sha1').update(pdf).digest('hex');
    await db.auditTrail.record({ leaseId: signer.leaseId, signerId: signer.id, documentDigest, ip: req.ip });
    // vuln: CWE-79
    res.send(ejs.render('<h2>Thank you, <%- name %>!</h2><p>Your lease has been signed.</p>', { name: req.body.signerName }));
  } catch (err) {
    next(err);
  }
});

router.post('/sign/v2/:signerId/complete', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const signer = await db.signers.findById(req.params.signerId);
    const pdf: Buffer = await db.leases.renderSignedPdf(signer.leaseId, req.body.signatureImage);
    // safe: CWE-328
    const documentDigest = crypto.createHash('sha256').update(pdf).digest('hex');
    await db.auditTrail.record({ leaseId: signer.leaseId, signerId: signer.id, documentDigest, ip: req.ip });
    // safe: CWE-79
    res.send(ejs.render('<h2>Thank you, <%= name %>!</h2><p>Your lease has been signed.</p>', { name: req.body.signerName }));
  } catch (err) {
    next(err);
  }
});

router.get('/leases/:leaseId/viewer', (req: Request, res: Response) => {
  // vuln: CWE-79
  res.type('html').send(`<div id="viewer"></div><script>window.__VIEWER_OPTS__ = ${JSON.stringify(req.query)};</script><script src="/static/viewer.js"></script>`);
});

router.get('/leases/:leaseId/viewer/v2', (req: Request, res: Response) => {
  // safe: CWE-79
  res.type('html').send(`<div id="viewer"></div><script>window.__VIEWER_OPTS__ = ${serializeJs(req.query, { isJSON: true })};</script><script src="/static/viewer.js"></script>`);
});

// ---------------------------------------------------------------------------
// Maintenance tickets
// ---------------------------------------------------------------------------

interface TicketDraft {
  title: string;
  description: string;
  urgency: 'low' | 'normal' | 'emergency';
}

router.post('/maintenance/preview', express.json(), (req: Request, res: Response) => {
  const draft = req.body as TicketDraft;
  // vuln: CWE-79
  res.send(`<article class="ticket"><h3>${draft.title}</h3><p>${draft.description}</p><span>${draft.urgency}</span></article>`);
});

router.post('/maintenance/v2/preview', express.json(), (req: Request, res: Response) => {
  const draft = req.body as TicketDraft;
  // safe: CWE-79
  res.send(`<article class="ticket"><h3>${escapeHtml(draft.title)}</h3><p>${escapeHtml(draft.description)}</p><span>${escapeHtml(draft.urgency)}</span></article>`);
});

router.post('/maintenance/tickets', express.json(), async (req: Request, res: Response) => {
  const ticket = await db.tickets.insert({ tenantId: req.session.tenantId, ...req.body });
  // vuln: CWE-501
  req.session.unitId = req.cookies.unit_id;
  // safe: CWE-79
  res.status(201).json({ id: ticket.id, title: ticket.title });
});

router.post('/maintenance/contractor-access', async (req: Request, res: Response) => {
  const token = crypto.randomBytes(16).toString('hex');
  await db.contractorAccess.insert({ ticketId: req.body.ticketId, token });
  // vuln: CWE-1004
  res.append('Set-Cookie', `contractor_access=${token}; Path=/maintenance; Secure; SameSite=Lax`);
  res.sendStatus(204);
});

router.post('/maintenance/v2/contractor-access', async (req: Request, res: Response) => {
  const token = crypto.randomBytes(16).toString('hex');
  await db.contractorAccess.insert({ ticketId: req.body.ticketId, token });
  // safe: CWE-1004
  res.append('Set-Cookie', `contractor_access=${token}; Path=/maintenance; Secure; HttpOnly; SameSite=Lax`);
  res.sendStatus(204);
});

// ---------------------------------------------------------------------------
// Dashboard and preferences
// ---------------------------------------------------------------------------

router.get('/dashboard', async (req: Request, res: Response) => {
  // vuln: CWE-501
  req.session.isLandlord = req.get('X-Portal-Role') === 'landlord';
  const featured = await db.listings.featured(12);
  for (let i = featured.length - 1; i > 0; i -= 1) {
    // safe: CWE-330
    const j = Math.floor(Math.random() * (i + 1));
    [featured[i], featured[j]] = [featured[j], featured[i]];
  }
  res.json({ featured: featured.slice(0, 6) });
});

router.post('/preferences/theme', (req: Request, res: Response) => {
  const theme = String(req.body.theme);
  // safe: CWE-501
  req.session.theme = THEMES.has(theme) ? theme : 'light';
  res.sendStatus(204);
});

router.post('/onboarding/start', (req: Request, res: Response) => {
  // safe: CWE-501
  req.session.onboardingStep = 'welcome';
  // safe: CWE-338
  const variant = Math.random() < 0.5 ? 'checklist' : 'video-tour';
  res.json({ variant });
});

export default router;
