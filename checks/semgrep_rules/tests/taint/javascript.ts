// TypeScript cases for checks/semgrep_rules/taint/javascript.yml (Express with types).
import { exec } from 'child_process';
import axios from 'axios';
import express, { Request, Response } from 'express';
import { Pool } from 'pg';

const app = express();
const pool = new Pool();

app.get('/invoices', async (req: Request, res: Response) => {
  const id: string = req.query.id as string;
  // ruleid: js-sql-injection
  const rows = await pool.query(`SELECT * FROM invoices WHERE id = '${id}'`);
  // ok: js-sql-injection
  const same = await pool.query('SELECT * FROM invoices WHERE id = $1', [id]);
  res.json([rows, same]);
});

app.get('/lookup', (req: Request, res: Response) => {
  // ruleid: js-command-injection
  exec(`nslookup ${req.query.host}`, (error, stdout) => res.send(stdout));
});

app.get('/redirect', (req: Request, res: Response) => {
  // ruleid: js-open-redirect
  res.redirect(req.query.to as string);
});

// Destructuring a cast request body keeps its taint.
app.post('/partners/ping', async (req: Request, res: Response) => {
  const { endpoint, label } = req.body as { endpoint: string; label: string };
  // ruleid: js-ssrf
  const reply = await axios.post(`${endpoint}/ping`, { label });
  res.json(reply.status);
});

// Generic calls under await: `await client.get<T>(url)`.
app.get('/partners/feed', async (req: Request, res: Response) => {
  const feedUrl = req.query.feed as string;
  // ruleid: js-ssrf
  const feed = await axios.get<string>(feedUrl, { responseType: 'text' });
  // ok: js-ssrf
  const status = await axios.get<string>('https://status.example.com/feed.xml');
  res.json([feed.data, status.data]);
});

interface OrderRow { id: number; note: string }

app.get('/orders/:id', async (req: Request, res: Response) => {
  // ruleid: js-sql-injection
  const raw = await pool.query<OrderRow>(`SELECT id, note FROM orders WHERE id = ${req.params.id}`);
  const bound = await pool.query<OrderRow>('SELECT id, note FROM orders WHERE id = $1', [req.params.id]);
  // ok: js-xss
  res.send('<ul>' + listNotes(bound.rows) + '</ul>' + raw.rowCount);
});

app.get('/orders/:id/title', (req: Request, res: Response) => {
  const title = req.query.title as string;
  // ruleid: js-xss
  res.send(`<h1>${title}</h1>`);
});

// serialize-to-js imported under another name
import { deserialize as loadState } from 'serialize-to-js';
app.post('/drafts/load', (req: Request, res: Response) => {
  // ruleid: js-insecure-deserialization
  res.json(loadState(req.body.draft));
});

// A redirect helper that keeps only same-origin paths, with a fixed fallback.
const SITE = 'https://shop.example.com';
function sameSitePath(raw: string | undefined): string {
  if (!raw) return '/';
  try {
    const parsed = new URL(raw, SITE);
    return parsed.origin === SITE ? parsed.pathname + parsed.search : '/';
  } catch {
    return '/';
  }
}
function withSource(raw: string): string {
  return raw + '?src=mail';
}
app.post('/signin/done', (req: Request, res: Response) => {
  // ok: js-open-redirect
  res.redirect(302, sameSitePath(req.body.returnTo));
});
app.post('/signin/done/v0', (req: Request, res: Response) => {
  // ruleid: js-open-redirect
  res.redirect(302, withSource(req.body.returnTo));
});

// Rows from a model or a table of the handle are the database's values.
app.get('/invites/:token', async (req: Request, res: Response) => {
  const invite = await db.invites.findByToken(req.params.token);
  // ok: js-trust-boundary-violation
  (req.session as any).inviteId = invite.id;
  // ruleid: js-trust-boundary-violation
  req.session.inviteEmail = String(req.query.email || invite.email);
  // ok: js-open-redirect
  res.redirect(`/invites/${invite.id}/accept`);
});
