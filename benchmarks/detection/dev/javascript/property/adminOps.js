'use strict';

// Admin and ops tools: database backups, report generation and exports,
// log retrieval. Mounted under /admin behind the staff SSO guard.

const express = require('express');
const fs = require('fs');
const fsp = require('fs/promises');
const path = require('path');
const crypto = require('crypto');
const zlib = require('zlib');
const { exec, execFile, spawn } = require('child_process');
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');

const router = express.Router();

const BACKUP_DIR = '/var/backups/rentals';
const REPORT_DIR = '/srv/rentals/reports';
const LOG_DIR = '/var/log/rentals';
const DB_NAME = 'rentals_production';

const REPORT_KINDS = new Set(['rent-roll', 'arrears', 'occupancy', 'maintenance-sla']);

// ---------------------------------------------------------------------------
// Credentials used by the ops jobs
// ---------------------------------------------------------------------------

// vuln: CWE-798
const backupBucketCreds = { accessKeyId: 'AKIAQX4TW7RZ2MLEV5HN', secretAccessKey: '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' };

const s3Legacy = new S3Client({ region: 'eu-west-1', credentials: backupBucketCreds });

// safe: CWE-798
const s3 = new S3Client({ region: process.env.AWS_REGION || 'eu-west-1', credentials: { accessKeyId: process.env.BACKUP_AWS_ACCESS_KEY_ID, secretAccessKey: process.env.BACKUP_AWS_SECRET_ACCESS_KEY } });

// vuln: CWE-798
const REPORTS_DB_URL = 'postgres://reports_ro:Tr0ub4dor-Rent%2125@db-replica.internal.rentals.example:5432/rentals_production';

const secrets = new SecretsManagerClient({ region: process.env.AWS_REGION || 'eu-west-1' });

async function backupEncryptionKey() {
  // safe: CWE-798
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: 'rentals/prod/backup-encryption-key' }));
  return Buffer.from(JSON.parse(out.SecretString).key, 'base64');
}

// vuln: CWE-798
const OPS_SLACK_WEBHOOK_TOKEN = 'xoxb-5823017463-4419823306152-qN7vXbT2kRzL9pWcYe4sHd1M';

// safe: CWE-798
const opsAlertToken = process.env.OPS_SLACK_BOT_TOKEN;

// ---------------------------------------------------------------------------
// Backups
// ---------------------------------------------------------------------------

router.post('/backups', (req, res) => {
  const label = req.body.label || new Date().toISOString().slice(0, 10);
  const outFile = `${BACKUP_DIR}/${DB_NAME}-${label}.sql.gz`;
  // vuln: CWE-78
  exec(`pg_dump --no-owner ${DB_NAME} | gzip > ${outFile}`, (err) => {
    if (err) return res.status(500).json({ error: 'backup failed' });
    res.status(201).json({ file: path.basename(outFile) });
  });
});

router.post('/backups/v2', (req, res) => {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outFile = path.join(BACKUP_DIR, `${DB_NAME}-${stamp}.dump`);
  // safe: CWE-78
  execFile('pg_dump', ['--no-owner', '--format=custom', '--file', outFile, DB_NAME], (err) => {
    if (err) return res.status(500).json({ error: 'backup failed' });
    res.status(201).json({ file: path.basename(outFile) });
  });
});

router.post('/backups/tables', (req, res) => {
  const tables = (req.body.tables || []).map((t) => '-t ' + t).join(' ');
  const cmd = 'pg_dump --data-only ' + tables + ' ' + DB_NAME;
  // vuln: CWE-78
  const dump = spawn(cmd, { shell: true });
  const out = fs.createWriteStream(path.join(BACKUP_DIR, `partial-${Date.now()}.sql`));
  dump.stdout.pipe(out);
  dump.on('close', (code) => res.json({ ok: code === 0 }));
});

router.post('/backups/tables/v2', (req, res) => {
  const tables = (req.body.tables || []).filter((t) => /^[a-z_][a-z0-9_]{0,62}$/.test(t));
  const args = ['--data-only', ...tables.flatMap((t) => ['-t', t]), DB_NAME];
  // safe: CWE-78
  const dump = spawn('pg_dump', args);
  const out = fs.createWriteStream(path.join(BACKUP_DIR, `partial-${Date.now()}.sql`));
  dump.stdout.pipe(out);
  dump.on('close', (code) => res.json({ ok: code === 0 }));
});

function encryptBackupLegacy(plain, passphrase) {
  const key = crypto.createHash('sha256').update(passphrase).digest();
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('aes-256-ecb', key, null);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

async function encryptBackup(plain) {
  const key = await backupEncryptionKey();
  const iv = crypto.randomBytes(12);
  // safe: CWE-327
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function encryptArchiveForPartner(plain, keyMaterial) {
  const key = keyMaterial.subarray(0, 24);
  const iv = crypto.randomBytes(8);
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('des-ede3-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final()]);
}

router.post('/backups/:file/offsite', async (req, res, next) => {
  try {
    const name = path.basename(req.params.file);
    const plain = zlib.gzipSync(await fsp.readFile(path.join(BACKUP_DIR, name)));
    const body = req.query.legacy === '1'
      ? encryptBackupLegacy(plain, process.env.BACKUP_PASSPHRASE)
      : await encryptBackup(plain);
    const client = req.query.legacy === '1' ? s3Legacy : s3;
    await client.send(new PutObjectCommand({ Bucket: 'rentals-offsite-backups', Key: `${name}.enc`, Body: body }));
    res.json({ uploaded: `${name}.enc` });
  } catch (err) {
    next(err);
  }
});

router.post('/exports/partner-archive', async (req, res, next) => {
  try {
    const csv = await fsp.readFile(path.join(REPORT_DIR, 'syndication-latest.csv'));
    const key = Buffer.from(process.env.PARTNER_ARCHIVE_KEY, 'hex');
    res.type('application/octet-stream').send(encryptArchiveForPartner(csv, key));
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

router.post('/reports/:kind', (req, res) => {
  const month = req.body.month;
  // vuln: CWE-78
  exec('node scripts/report.js --kind ' + req.params.kind + ' --month ' + month, { cwd: '/srv/rentals/app' }, (err, stdout) => {
    if (err) return res.status(500).send('report failed');
    res.json({ file: stdout.trim() });
  });
});

router.post('/reports/v2/:kind', (req, res) => {
  if (!REPORT_KINDS.has(req.params.kind) || !/^\d{4}-\d{2}$/.test(String(req.body.month))) {
    return res.sendStatus(400);
  }
  // safe: CWE-78
  execFile('node', ['scripts/report.js', '--kind', req.params.kind, '--month', req.body.month], { cwd: '/srv/rentals/app' }, (err, stdout) => {
    if (err) return res.status(500).send('report failed');
    res.json({ file: stdout.trim() });
  });
});

router.get('/reports/download', (req, res) => {
  const file = req.query.file;
  // vuln: CWE-22
  fs.readFile(path.join(REPORT_DIR, file), (err, data) => {
    if (err) return res.sendStatus(404);
    res.attachment(path.basename(file)).send(data);
  });
});

router.get('/reports/:kind/:month/download', (req, res) => {
  const { kind, month } = req.params;
  if (!REPORT_KINDS.has(kind) || !/^\d{4}-\d{2}$/.test(month)) return res.sendStatus(400);
  // safe: CWE-22
  fs.readFile(path.join(REPORT_DIR, kind, `${month}.csv`), (err, data) => {
    if (err) return res.sendStatus(404);
    res.attachment(`${kind}-${month}.csv`).send(data);
  });
});

// ---------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------

router.get('/logs/tail', (req, res) => {
  const service = req.query.service || 'api';
  const lines = req.query.lines || '200';
  // vuln: CWE-78
  exec(`tail -n ${lines} ${LOG_DIR}/${service}.log`, (err, stdout) => {
    if (err) return res.sendStatus(404);
    res.type('text/plain').send(stdout);
  });
});

router.get('/logs/v2/tail', (req, res) => {
  const service = ['api', 'worker', 'webhooks', 'scheduler'].includes(req.query.service) ? req.query.service : 'api';
  const lines = String(Math.min(Math.max(parseInt(req.query.lines, 10) || 200, 1), 5000));
  // safe: CWE-78
  execFile('tail', ['-n', lines, path.join(LOG_DIR, `${service}.log`)], (err, stdout) => {
    if (err) return res.sendStatus(404);
    res.type('text/plain').send(stdout);
  });
});

router.get('/logs/archive', async (req, res, next) => {
  try {
    const day = req.header('X-Log-Day');
    // vuln: CWE-22
    const gz = await fsp.readFile(`${LOG_DIR}/archive/${day}.log.gz`);
    res.type('text/plain').send(zlib.gunzipSync(gz));
  } catch (err) {
    next(err);
  }
});

router.get('/logs/v2/archive', async (req, res, next) => {
  try {
    const day = req.header('X-Log-Day');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day || '')) return res.sendStatus(400);
    // safe: CWE-22
    const gz = await fsp.readFile(`${LOG_DIR}/archive/${day}.log.gz`);
    res.type('text/plain').send(zlib.gunzipSync(gz));
  } catch (err) {
    next(err);
  }
});

module.exports = { router, REPORTS_DB_URL, OPS_SLACK_WEBHOOK_TOKEN, opsAlertToken };
