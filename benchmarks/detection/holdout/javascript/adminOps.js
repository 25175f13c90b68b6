'use strict';

// Admin and ops tools: reports, exports, database backups, log search, maintenance jobs.

const express = require('express');
const path = require('path');
const fs = require('fs');
const fsp = require('fs/promises');
const crypto = require('crypto');
const vm = require('vm');
const util = require('util');
const { exec, execFile, spawn } = require('child_process');
const escapeHtml = require('escape-html');
const { requireStaff, requireRole } = require('./middleware/auth');
const reports = require('./services/reports');

const execAsync = util.promisify(exec);
const execFileAsync = util.promisify(execFile);

const router = express.Router();
router.use(requireStaff);

const BACKUP_DIR = '/var/backups/tix';
const EXPORT_DIR = '/srv/tix/exports';
const LOG_FILE = '/var/log/tix/app.log';
const DB_NAME = process.env.PGDATABASE || 'ticketing';

class BackupService {
  constructor(dir) {
    this.dir = dir;
  }

  dumpCommand(table, label) {
    const out = path.join(this.dir, `${label}-${Date.now()}.sql.gz`);
    return { out, cmd: `pg_dump --no-owner --table=${table} ${DB_NAME} | gzip > ${out}` };
  }

  async dumpTable(table, label) {
    const { out, cmd } = this.dumpCommand(table, label);
    // vuln: CWE-78
    await execAsync(cmd, { timeout: 10 * 60 * 1000 });
    return out;
  }

  async dumpTableSafely(table) {
    const out = path.join(this.dir, `${table}-${Date.now()}.dump`);
    // safe: CWE-78
    await execFileAsync('pg_dump', ['--no-owner', '--format=custom', `--table=${table}`, '--file', out, DB_NAME], { timeout: 10 * 60 * 1000 });
    return out;
  }

  async checksum(file) {
    const data = await fsp.readFile(file);
    // safe: CWE-328
    return crypto.createHash('sha256').update(data).digest('hex');
  }
}

const backups = new BackupService(BACKUP_DIR);
const BACKUP_TABLES = new Set(['orders', 'tickets', 'events', 'venues', 'payouts', 'refunds']);

router.post('/ops/backups', requireRole('ops'), express.json(), async (req, res, next) => {
  try {
    const file = await backups.dumpTable(req.body.table, req.body.label || 'manual');
    res.status(201).json({ file: path.basename(file) });
  } catch (err) {
    next(err);
  }
});

router.post('/ops/backups/table/:table', requireRole('ops'), async (req, res, next) => {
  try {
    if (!BACKUP_TABLES.has(req.params.table)) return res.status(400).json({ error: 'unknown table' });
    const file = await backups.dumpTableSafely(req.params.table);
    res.status(201).json({ file: path.basename(file), sha256: await backups.checksum(file) });
  } catch (err) {
    next(err);
  }
});

router.post('/ops/exports/archive', requireRole('ops'), express.urlencoded({ extended: false }), (req, res, next) => {
  const month = req.body.month;
  const archive = path.join(BACKUP_DIR, `exports-${Date.now()}.tar.gz`);
  // vuln: CWE-78
  exec('tar -czf ' + archive + ' -C ' + EXPORT_DIR + ' ' + month, (err) => {
    if (err) return next(err);
    res.download(archive);
  });
});

router.get('/ops/logs/search', requireRole('ops'), (req, res) => {
  const term = req.query.term || '';
  res.type('text/plain');
  // vuln: CWE-78
  const grep = spawn('/bin/sh', ['-c', `grep -i "${term}" ${LOG_FILE} | tail -n 500`]);
  grep.stdout.pipe(res);
});

router.get('/ops/logs/grep', requireRole('ops'), (req, res) => {
  const term = String(req.query.term || '');
  res.type('text/plain');
  // safe: CWE-78
  const grep = spawn('grep', ['-i', '-m', '500', '--', term, LOG_FILE]);
  grep.stdout.pipe(res);
});

router.post('/ops/workers/restart', requireRole('ops'), (req, res, next) => {
  // safe: CWE-78
  exec('systemctl restart tix-ticket-worker.service', { timeout: 30000 }, (err) => {
    if (err) return next(err);
    res.sendStatus(204);
  });
});

router.post('/ops/cache/purge', requireRole('ops'), express.json(), (req, res, next) => {
  const host = req.headers['x-cache-host'] || 'cache-1.tix.internal';
  // vuln: CWE-78
  exec(`varnishadm -T ${host}:6082 -S /etc/varnish/secret "ban req.url ~ ${req.body.pattern}"`, (err, stdout) => {
    if (err) return next(err);
    res.json({ result: stdout.trim() });
  });
});

// --- Reports ---

router.post('/reports/custom-column', requireRole('finance'), express.json(), async (req, res, next) => {
  try {
    const rows = await reports.salesByEvent(req.body.eventId);
    const formula = req.body.formula;
    // vuln: CWE-95
    const values = rows.map((row) => eval(`(function (row) { return ${formula}; })`)(row));
    res.json(values);
  } catch (err) {
    next(err);
  }
});

router.post('/reports/computed', requireRole('finance'), express.json(), async (req, res, next) => {
  try {
    const rows = await reports.salesByEvent(req.body.eventId);
    const expression = String(req.body.expression);
    // vuln: CWE-94
    const values = rows.map((row) => vm.runInNewContext(expression, { row, Math }, { timeout: 50 }));
    res.json(values);
  } catch (err) {
    next(err);
  }
});

const FEE_SCRIPT = new vm.Script('Math.round(gross * rate) + fixed');

router.get('/reports/fees', requireRole('finance'), async (req, res, next) => {
  try {
    const rows = await reports.salesByEvent(req.query.eventId);
    const rate = Number(req.query.rate) || 0.1;
    // safe: CWE-94
    const fees = rows.map((r) => FEE_SCRIPT.runInNewContext({ Math, gross: r.gross_cents, rate, fixed: 50 }));
    res.json(fees);
  } catch (err) {
    next(err);
  }
});

router.post('/reports/saved', requireRole('finance'), express.json(), async (req, res, next) => {
  try {
    // safe: CWE-95
    const definition = JSON.parse(req.body.definition);
    const saved = await reports.save(req.user.id, definition);
    res.status(201).json(saved);
  } catch (err) {
    next(err);
  }
});

router.post('/reports/filters/preview', requireRole('finance'), express.urlencoded({ extended: false }), async (req, res, next) => {
  try {
    const predicate = req.body.predicate;
    // vuln: CWE-94
    const keep = vm.runInNewContext(`(function (row) { return ${predicate}; })`, {});
    const rows = await reports.salesByEvent(req.body.eventId);
    res.json(rows.filter(keep));
  } catch (err) {
    next(err);
  }
});

const OPERATORS = {
  gt: (a, b) => a > b,
  lt: (a, b) => a < b,
  eq: (a, b) => a === b,
};

router.post('/reports/filters/apply', requireRole('finance'), express.json(), async (req, res, next) => {
  try {
    const { field, op, value } = req.body;
    if (!Object.prototype.hasOwnProperty.call(OPERATORS, op)) return res.status(400).json({ error: 'bad operator' });
    const rows = await reports.salesByEvent(req.body.eventId);
    // safe: CWE-94
    const keep = new Function('compare', 'field', 'value', 'return (row) => compare(row[field], value);')(OPERATORS[op], field, value);
    res.json(rows.filter(keep));
  } catch (err) {
    next(err);
  }
});

router.get('/reports/schedule/next', requireRole('finance'), (req, res) => {
  const delayMs = Math.min(Number(req.query.delay) || 1000, 60000);
  // safe: CWE-95
  setTimeout(() => reports.refreshMaterializedViews().catch(() => {}), delayMs);
  res.sendStatus(202);
});

router.get('/reports/:id/view', requireRole('finance'), async (req, res, next) => {
  try {
    const report = await reports.load(req.params.id);
    const title = req.query.title || report.name;
    const rowsHtml = report.rows.map((r) => `<tr><td>${escapeHtml(r.event)}</td><td>${r.tickets}</td><td>${r.gross_cents}</td></tr>`).join('');
    // vuln: CWE-79
    res.send(`<!doctype html><title>Report</title><h1>${title}</h1><table>${rowsHtml}</table>`);
  } catch (err) {
    next(err);
  }
});

router.get('/reports/:id/print', requireRole('finance'), async (req, res, next) => {
  try {
    const report = await reports.load(req.params.id);
    const subtitle = req.query.subtitle || '';
    const rowsHtml = report.rows.map((r) => `<tr><td>${escapeHtml(r.event)}</td><td>${r.tickets}</td></tr>`).join('');
    // safe: CWE-79
    res.send(`<!doctype html><title>Report</title><h1>${escapeHtml(report.name)}</h1><h2>${escapeHtml(subtitle)}</h2><table>${rowsHtml}</table>`);
  } catch (err) {
    next(err);
  }
});

router.get('/ops/jobs/:name/status', requireRole('ops'), async (req, res) => {
  const job = await reports.jobStatus(req.params.name);
  if (!job) {
    // vuln: CWE-79
    return res.status(404).send('<p class="error">No maintenance job named ' + req.params.name + '</p>');
  }
  // safe: CWE-79
  res.json({ name: req.params.name, state: job.state, lastRun: job.lastRun });
});

// --- Exports ---

router.get('/exports/download', requireRole('finance'), (req, res) => {
  const file = req.query.file;
  // vuln: CWE-22
  res.download(path.join(EXPORT_DIR, file));
});

router.get('/exports/:exportId/download', requireRole('finance'), async (req, res, next) => {
  try {
    const id = req.params.exportId;
    if (!/^[0-9a-f-]{36}$/.test(id)) return res.sendStatus(400);
    // safe: CWE-22
    res.download(path.join(EXPORT_DIR, `${id}.csv`), `export-${id}.csv`);
  } catch (err) {
    next(err);
  }
});

router.get('/ops/logs/tail', requireRole('ops'), async (req, res, next) => {
  try {
    const logName = req.cookies.ops_log || 'app.log';
    // vuln: CWE-22
    const content = await fsp.readFile('/var/log/tix/' + logName, 'utf8');
    res.type('text/plain').send(content.split('\n').slice(-500).join('\n'));
  } catch (err) {
    next(err);
  }
});

const LOG_NAMES = new Set(['app.log', 'worker.log', 'scanner.log', 'payments.log']);

router.get('/ops/logs/:name', requireRole('ops'), (req, res) => {
  const name = req.params.name;
  if (!LOG_NAMES.has(name)) return res.sendStatus(404);
  res.type('text/plain');
  // safe: CWE-22
  fs.createReadStream(path.join('/var/log/tix', name)).pipe(res);
});

router.post('/ops/maintenance/done', requireRole('ops'), express.urlencoded({ extended: false }), (req, res) => {
  const section = req.body.section === 'exports' ? 'exports' : 'backups';
  // safe: CWE-601
  res.redirect(303, `/admin/ops/${section}?done=1`);
});

router.get('/ops/return', requireRole('ops'), (req, res) => {
  const allowedHosts = new Set(['grafana.tix.internal', 'status.tix.example.com', 'admin.tix.example.com']);
  let target;
  try {
    target = new URL(String(req.query.to));
  } catch {
    return res.redirect('/admin');
  }
  if (target.protocol !== 'https:' || !allowedHosts.has(target.hostname)) return res.redirect('/admin');
  // safe: CWE-601
  res.redirect(target.toString());
});

module.exports = router;
