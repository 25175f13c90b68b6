// TypeScript cases for checks/semgrep_rules/taint/javascript.yml (Express with types).
import { exec } from 'child_process';
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
