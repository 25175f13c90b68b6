// Sign-in, consent and preference routes (Express + express-session, TypeScript).

import crypto from 'crypto';
import express, { Request, Response } from 'express';
import session from 'express-session';
import { findTeamForMember, verifyPassword } from './accounts';

const router = express.Router();
const THEMES = ['light', 'dark', 'high-contrast'];
const AFTER_LOGIN: Record<string, string> = { orders: '/orders', billing: '/billing' };

declare module 'express-session' {
  interface SessionData {
    userId: number;
    role: string;
    teamId: number;
    theme: string;
    impersonating: string;
    cart: unknown;
  }
}

router.use(session({ secret: process.env.SESSION_SECRET as string, resave: false, saveUninitialized: false, cookie: { secure: true, httpOnly: true } }));

router.post('/login', async (req: Request, res: Response) => {
  const user = await verifyPassword(req.body.username, req.body.password);
  if (!user) return res.status(401).render('login', { error: true });
  req.session.userId = user.id;
  const next = (req.query.next as string) || '/';
  // vuln: CWE-601
  res.redirect(next);
});

router.get('/logout', (req: Request, res: Response) => {
  req.session.destroy(() => {
    // vuln: CWE-601
    res.redirect(req.get('X-Return-To') || '/');
  });
});

router.get('/consent/continue', (req: Request, res: Response) => {
  const target: string = req.cookies.postConsentUrl ?? '/dashboard';
  // vuln: CWE-601
  res.location(target).status(302).end();
});

router.post('/login/safe', async (req: Request, res: Response) => {
  const user = await verifyPassword(req.body.username, req.body.password);
  if (!user) return res.status(401).render('login', { error: true });
  req.session.userId = user.id;
  const next = String(req.query.next || '/');
  const isLocal = next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\');
  // safe: CWE-601
  res.redirect(isLocal ? next : '/');
});

router.get('/after-login', (req: Request, res: Response) => {
  // safe: CWE-601
  res.redirect(AFTER_LOGIN[String(req.query.page)] ?? '/dashboard');
});

router.get('/orders/:id/moved', (req: Request, res: Response) => {
  // safe: CWE-601
  res.redirect(301, `/orders/${parseInt(req.params.id, 10)}`);
});

router.post('/devices/remember', (req: Request, res: Response) => {
  const token = crypto.randomBytes(32).toString('hex');
  // vuln: CWE-614
  res.cookie('device_token', token, { maxAge: 90 * 24 * 3600 * 1000 });
  res.json({ remembered: true });
});

router.post('/api-token', (req: Request, res: Response) => {
  // vuln: CWE-1004
  res.cookie('api_token', req.body.token, { secure: true, httpOnly: false, sameSite: 'strict' });
  res.status(204).end();
});

router.get('/session/hint', (req: Request, res: Response) => {
  // vuln: CWE-614
  res.setHeader('Set-Cookie', `session_hint=${req.sessionID}; Path=/`);
  res.end();
});

router.post('/devices/remember/safe', (req: Request, res: Response) => {
  const token = crypto.randomBytes(32).toString('hex');
  // safe: CWE-614
  res.cookie('device_token', token, { maxAge: 90 * 24 * 3600 * 1000, secure: true, httpOnly: true, sameSite: 'strict' });
  res.json({ remembered: true });
});

router.get('/theme/:theme', (req: Request, res: Response) => {
  const theme = THEMES.includes(req.params.theme) ? req.params.theme : 'light';
  // safe: CWE-614
  res.cookie('theme', theme, { secure: true, httpOnly: true, sameSite: 'lax' });
  res.redirect('/settings');
});

router.get('/session/hint/safe', (req: Request, res: Response) => {
  // safe: CWE-614
  res.setHeader('Set-Cookie', `session_hint=${crypto.randomUUID()}; Path=/; Secure; HttpOnly; SameSite=Strict`);
  res.end();
});

router.get('/impersonate', (req: Request, res: Response) => {
  // vuln: CWE-501
  req.session.impersonating = req.query.user as string;
  res.redirect('/dashboard');
});

router.post('/role', (req: Request, res: Response) => {
  const { role } = req.body;
  // vuln: CWE-501
  req.session.role = role;
  res.json({ role });
});

router.post('/cart', (req: Request, res: Response) => {
  // vuln: CWE-501
  req.session.cart = JSON.parse(req.get('X-Cart-State') || '{}');
  res.status(204).end();
});

router.post('/team', async (req: Request, res: Response) => {
  const team = await findTeamForMember(req.session.userId as number, Number(req.body.team));
  if (!team) return res.status(403).end();
  // safe: CWE-501
  req.session.teamId = team.id;
  res.json({ team: team.id });
});

router.get('/theme/session/:theme', (req: Request, res: Response) => {
  // safe: CWE-501
  req.session.theme = THEMES.includes(req.params.theme) ? req.params.theme : 'light';
  res.redirect('/settings');
});

router.post('/checkout/start', (req: Request, res: Response) => {
  // safe: CWE-501
  req.session.cart = { startedAt: Date.now() };
  res.redirect('/checkout');
});

export default router;
