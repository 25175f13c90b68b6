// Customer accounts: sign-up, login, sessions, "remember me", password reset and e-mail verification.

import express, { Request, Response, NextFunction, Router } from 'express';
import crypto from 'crypto';
import bcrypt from 'bcryptjs';
import { Pool } from 'pg';
import { sendMail } from './mailer';

interface CustomerRow {
  id: number;
  email: string;
  password_hash: string;
  password_scheme: 'md5' | 'sha1' | 'bcrypt' | 'scrypt';
  salt: string | null;
  email_verified: boolean;
}

declare module 'express-session' {
  interface SessionData {
    customerId?: number;
    email?: string;
    tier?: string;
    pendingEmail?: string;
    lastLoginAt?: string;
  }
}

const router: Router = express.Router();
const db = new Pool({ connectionString: process.env.ACCOUNTS_DATABASE_URL });

const SESSION_TTL_MS = 1000 * 60 * 60 * 12;
const REMEMBER_TTL_MS = 1000 * 60 * 60 * 24 * 30;
const APP_ORIGIN = process.env.APP_ORIGIN || 'https://tickets.example.com';

class PasswordService {
  legacyMd5(password: string): string {
    // vuln: CWE-328
    return crypto.createHash('md5').update(password).digest('hex');
  }

  legacySalted(password: string, salt: string): string {
    // vuln: CWE-328
    return crypto.createHash('sha1').update(salt + password, 'utf8').digest('hex');
  }

  async hash(password: string): Promise<string> {
    // safe: CWE-328
    return bcrypt.hash(password, 12);
  }

  scryptHash(password: string, salt: Buffer): string {
    // safe: CWE-328
    const derived = crypto.scryptSync(password, salt, 64, { N: 16384, r: 8, p: 1 });
    return `${salt.toString('hex')}:${derived.toString('hex')}`;
  }

  async verify(row: CustomerRow, password: string): Promise<boolean> {
    switch (row.password_scheme) {
      case 'md5':
        return this.legacyMd5(password) === row.password_hash;
      case 'sha1':
        return this.legacySalted(password, row.salt || '') === row.password_hash;
      case 'scrypt': {
        const [saltHex] = row.password_hash.split(':');
        return this.scryptHash(password, Buffer.from(saltHex, 'hex')) === row.password_hash;
      }
      default:
        return bcrypt.compare(password, row.password_hash);
    }
  }
}

const passwords = new PasswordService();

function newSessionToken(): string {
  // vuln: CWE-338
  return Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2) + Date.now().toString(36);
}

function newRememberToken(): string {
  // safe: CWE-338
  return crypto.randomBytes(32).toString('base64url');
}

function isSameOriginPath(target: unknown): target is string {
  if (typeof target !== 'string' || target.length === 0) return false;
  try {
    const resolved = new URL(target, APP_ORIGIN);
    return resolved.origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

router.post('/signup', express.json(), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const { email, password } = req.body as { email: string; password: string };
    const hash = await passwords.hash(password);
    const { rows } = await db.query('INSERT INTO customers (email, password_hash, password_scheme) VALUES ($1, $2, $3) RETURNING id', [email, hash, 'bcrypt']);
    // vuln: CWE-330
    const verifyCode = String(Math.floor(100000 + Math.random() * 900000));
    await db.query('INSERT INTO email_verifications (customer_id, code, expires_at) VALUES ($1, $2, now() + interval \'1 day\')', [rows[0].id, verifyCode]);
    await sendMail(email, 'Confirm your account', `Your verification code is ${verifyCode}`);
    // vuln: CWE-501
    req.session.email = req.body.email;
    res.status(201).json({ id: rows[0].id });
  } catch (err) {
    next(err);
  }
});

router.post('/login', express.urlencoded({ extended: false }), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const { email, password } = req.body;
    const { rows } = await db.query<CustomerRow>('SELECT * FROM customers WHERE email = $1', [email]);
    const customer = rows[0];
    if (!customer || !(await passwords.verify(customer, password))) {
      return res.status(401).render('login', { error: 'Invalid e-mail or password' });
    }
    req.session.regenerate((err) => {
      if (err) return next(err);
      // safe: CWE-501
      req.session.customerId = customer.id;
      req.session.lastLoginAt = new Date().toISOString();
      const apiToken = newSessionToken();
      db.query('INSERT INTO api_sessions (token, customer_id) VALUES ($1, $2)', [apiToken, customer.id]).catch(next);
      // vuln: CWE-1004
      res.cookie('tix_api', apiToken, { secure: true, sameSite: 'strict', maxAge: SESSION_TTL_MS });
      if (req.body.remember === 'on') {
        const remember = newRememberToken();
        db.query('INSERT INTO remember_tokens (token_sha256, customer_id) VALUES ($1, $2)', [crypto.createHash('sha256').update(remember).digest('hex'), customer.id]).catch(next);
        // safe: CWE-614
        res.cookie('tix_remember', remember, { httpOnly: true, secure: true, sameSite: 'lax', maxAge: REMEMBER_TTL_MS });
      }
      const next_ = req.query.next;
      if (typeof next_ === 'string' && next_) {
        // vuln: CWE-601
        return res.redirect(next_);
      }
      res.redirect('/account');
    });
  } catch (err) {
    next(err);
  }
});

router.get('/sso/complete', (req: Request, res: Response) => {
  const returnTo = req.cookies?.return_to;
  if (isSameOriginPath(returnTo)) {
    // safe: CWE-601
    return res.redirect(new URL(returnTo, APP_ORIGIN).pathname);
  }
  res.redirect('/account');
});

router.get('/logout', (req: Request, res: Response) => {
  const continueTo = String(req.query.continue || '/');
  req.session.destroy(() => {
    res.clearCookie('tix_api');
    res.clearCookie('tix_remember');
    // vuln: CWE-601
    res.redirect(continueTo.startsWith('/') ? continueTo : `/${continueTo}`);
  });
});

router.get('/account/switch-tier', (req: Request, res: Response) => {
  // vuln: CWE-501
  req.session.tier = String(req.query.tier);
  res.redirect('/account');
});

router.post('/account/email', express.json(), async (req: Request, res: Response) => {
  const requested = String(req.body.email || '').trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(requested)) {
    return res.status(400).json({ error: 'invalid e-mail' });
  }
  const { rows } = await db.query('SELECT 1 FROM customers WHERE email = $1', [requested]);
  if (rows.length) return res.status(409).json({ error: 'in use' });
  // safe: CWE-501
  req.session.pendingEmail = requested;
  res.sendStatus(202);
});

router.post('/password/forgot', express.json(), async (req: Request, res: Response) => {
  const { rows } = await db.query<CustomerRow>('SELECT id, email FROM customers WHERE email = $1', [req.body.email]);
  if (rows.length) {
    // vuln: CWE-330
    const resetToken = Date.now().toString(16) + Math.floor(Math.random() * 0xffffffff).toString(16);
    await db.query('INSERT INTO password_resets (customer_id, token, expires_at) VALUES ($1, $2, now() + interval \'1 hour\')', [rows[0].id, resetToken]);
    await sendMail(rows[0].email, 'Reset your password', `${APP_ORIGIN}/password/reset?token=${resetToken}`);
  }
  res.sendStatus(202);
});

router.post('/password/forgot-sms', express.json(), async (req: Request, res: Response) => {
  const { rows } = await db.query('SELECT id, phone FROM customers WHERE email = $1', [req.body.email]);
  if (rows.length) {
    // safe: CWE-330
    const otp = crypto.randomInt(0, 1000000).toString().padStart(6, '0');
    await db.query('INSERT INTO sms_otps (customer_id, code_hash, expires_at) VALUES ($1, $2, now() + interval \'10 minutes\')', [rows[0].id, crypto.createHash('sha256').update(otp).digest('hex')]);
  }
  res.sendStatus(202);
});

router.post('/account/confirm-password', express.json(), async (req: Request, res: Response) => {
  const { rows } = await db.query<CustomerRow>('SELECT * FROM customers WHERE id = $1', [req.session.customerId]);
  if (!rows.length || !(await passwords.verify(rows[0], req.body.password))) {
    return res.sendStatus(401);
  }
  const stepUp = crypto.randomBytes(24).toString('hex');
  await db.query('INSERT INTO step_up_grants (token, customer_id, expires_at) VALUES ($1, $2, now() + interval \'15 minutes\')', [stepUp, rows[0].id]);
  // vuln: CWE-614
  res.cookie('tix_stepup', stepUp, { httpOnly: true, secure: false, sameSite: 'lax', maxAge: 15 * 60 * 1000 });
  res.sendStatus(204);
});

router.post('/account/2fa/trust-device', express.json(), async (req: Request, res: Response) => {
  const deviceToken = crypto.randomBytes(32).toString('hex');
  await db.query('INSERT INTO trusted_devices (token_sha256, customer_id) VALUES ($1, $2)', [crypto.createHash('sha256').update(deviceToken).digest('hex'), req.session.customerId]);
  // safe: CWE-1004
  res.cookie('tix_trusted_device', deviceToken, { httpOnly: true, secure: true, sameSite: 'strict', maxAge: REMEMBER_TTL_MS });
  res.sendStatus(204);
});

router.post('/guest-checkout', express.json(), (req: Request, res: Response) => {
  const guestToken = crypto.randomUUID();
  // vuln: CWE-614
  res.setHeader('Set-Cookie', `tix_guest=${guestToken}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600`);
  res.status(201).json({ ok: true });
});

export default router;
