'use strict';

// Tenant document uploads (IDs, payslips, bank statements), property photos
// and signed lease PDFs.

const express = require('express');
const multer = require('multer');
const fs = require('fs');
const fsp = require('fs/promises');
const path = require('path');
const crypto = require('crypto');
const { exec, execFile, execSync, execFileSync, spawn } = require('child_process');
const db = require('./db');

const router = express.Router();

const UPLOAD_ROOT = process.env.UPLOAD_ROOT || '/srv/rentals/uploads';
const PHOTO_DIR = path.join(UPLOAD_ROOT, 'photos');
const LEASE_DIR = path.join(UPLOAD_ROOT, 'leases');
const THUMB_DIR = path.join(UPLOAD_ROOT, 'thumbs');
const TMP_DIR = '/var/tmp/rentals-incoming';

const DOCUMENT_TYPES = {
  id: 'identity',
  payslip: 'income',
  bank: 'bank-statements',
  reference: 'references',
};

const THUMB_SIZES = new Set(['160x120', '320x240', '800x600']);

const upload = multer({ dest: TMP_DIR, limits: { fileSize: 15 * 1024 * 1024 } });

function tenantDir(tenantId) {
  return path.join(UPLOAD_ROOT, 'tenants', String(tenantId));
}

function insideRoot(root, candidate) {
  const resolved = path.resolve(root, candidate);
  return resolved.startsWith(path.resolve(root) + path.sep) ? resolved : null;
}

// ---------------------------------------------------------------------------
// Tenant documents
// ---------------------------------------------------------------------------

router.post('/tenants/me/documents', upload.single('document'), async (req, res, next) => {
  try {
    const category = req.body.category || 'misc';
    const dest = path.join(tenantDir(req.user.tenantId), category, req.file.originalname);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    // vuln: CWE-22
    await fsp.rename(req.file.path, dest);
    await db.documents.insert({ tenantId: req.user.tenantId, category, storagePath: dest });
    res.status(201).json({ stored: true });
  } catch (err) {
    next(err);
  }
});

router.post('/tenants/me/documents/v2', upload.single('document'), async (req, res, next) => {
  try {
    const folder = DOCUMENT_TYPES[req.body.category];
    if (!folder) return res.status(400).json({ error: 'unknown document type' });
    const ext = path.extname(req.file.originalname).toLowerCase().replace(/[^.a-z0-9]/g, '');
    const storedName = crypto.randomUUID() + ext;
    const dest = path.join(tenantDir(req.user.tenantId), folder, storedName);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    // safe: CWE-22
    await fsp.rename(req.file.path, dest);
    await db.documents.insert({ tenantId: req.user.tenantId, category: folder, storagePath: dest, originalName: req.file.originalname });
    res.status(201).json({ stored: true, id: storedName });
  } catch (err) {
    next(err);
  }
});

router.get('/tenants/:tenantId/documents/:filename', (req, res) => {
  // vuln: CWE-22
  res.sendFile(path.join(UPLOAD_ROOT, 'tenants', req.params.tenantId, req.params.filename));
});

router.get('/tenants/me/documents/:filename', (req, res) => {
  // safe: CWE-22
  res.sendFile(req.params.filename, { root: tenantDir(req.user.tenantId), dotfiles: 'deny' });
});

router.get('/documents/:documentId/download', async (req, res, next) => {
  try {
    const doc = await db.documents.findOne({ id: req.params.documentId, tenantId: req.user.tenantId });
    if (!doc) return res.sendStatus(404);
    // safe: CWE-22
    res.download(doc.storagePath, doc.originalName || path.basename(doc.storagePath));
  } catch (err) {
    next(err);
  }
});

router.delete('/tenants/me/documents', async (req, res, next) => {
  try {
    const { storagePath } = req.body;
    // vuln: CWE-22
    await fsp.unlink(path.resolve(tenantDir(req.user.tenantId), storagePath));
    await db.documents.remove({ tenantId: req.user.tenantId, storagePath });
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.delete('/tenants/me/documents/v2', async (req, res, next) => {
  try {
    const target = insideRoot(tenantDir(req.user.tenantId), String(req.body.storagePath || ''));
    if (!target) return res.sendStatus(400);
    // safe: CWE-22
    await fsp.unlink(target);
    await db.documents.remove({ tenantId: req.user.tenantId, storagePath: target });
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Property photos
// ---------------------------------------------------------------------------

router.get('/photos', (req, res) => {
  const photo = req.query.photo;
  res.type(path.extname(photo) || 'jpg');
  // vuln: CWE-22
  fs.createReadStream(`${PHOTO_DIR}/${photo}`).pipe(res);
});

router.get('/photos/v2', (req, res) => {
  const photo = path.basename(String(req.query.photo || ''));
  res.type(path.extname(photo) || 'jpg');
  // safe: CWE-22
  fs.createReadStream(path.join(PHOTO_DIR, photo)).on('error', () => res.sendStatus(404)).pipe(res);
});

function resizeArgs(size) {
  return `-resize ${size} -strip -quality 82`;
}

router.post('/listings/:listingId/photos', upload.single('photo'), async (req, res, next) => {
  try {
    const size = req.body.size || '800x600';
    const thumb = path.join(THUMB_DIR, `${req.params.listingId}-${Date.now()}.jpg`);
    // vuln: CWE-78
    exec(`convert ${req.file.path} ${resizeArgs(size)} ${thumb}`, (err) => {
      if (err) return next(err);
      res.status(201).json({ thumbnail: path.basename(thumb) });
    });
  } catch (err) {
    next(err);
  }
});

router.post('/listings/:listingId/photos/v2', upload.single('photo'), (req, res, next) => {
  const size = THUMB_SIZES.has(req.body.size) ? req.body.size : '800x600';
  const thumb = path.join(THUMB_DIR, `${Number(req.params.listingId)}-${Date.now()}.jpg`);
  // safe: CWE-78
  execFile('convert', [req.file.path, '-resize', size, '-strip', '-quality', '82', thumb], (err) => {
    if (err) return next(err);
    res.status(201).json({ thumbnail: path.basename(thumb) });
  });
});

router.post('/listings/:listingId/photos/strip-metadata', (req, res) => {
  const target = path.join(PHOTO_DIR, req.body.photo);
  // vuln: CWE-78
  const child = spawn('sh', ['-c', `exiftool -overwrite_original -all= "${target}"`]);
  child.on('close', (code) => res.json({ ok: code === 0 }));
});

router.post('/listings/:listingId/photos/strip-metadata/v2', (req, res) => {
  const target = path.join(PHOTO_DIR, path.basename(String(req.body.photo)));
  // safe: CWE-78
  const child = spawn('exiftool', ['-overwrite_original', '-all=', target]);
  child.on('close', (code) => res.json({ ok: code === 0 }));
});

// ---------------------------------------------------------------------------
// Scanning and text extraction for payslips
// ---------------------------------------------------------------------------

function scanUpload(filename) {
  try {
    // vuln: CWE-78
    execSync('clamdscan --no-summary --fdpass "' + TMP_DIR + '/' + filename + '"', { stdio: 'pipe' });
    return true;
  } catch (e) {
    return false;
  }
}

function scanUploadSafe(filePath) {
  try {
    // safe: CWE-78
    execFileSync('clamdscan', ['--no-summary', '--fdpass', filePath], { stdio: 'pipe' });
    return true;
  } catch (e) {
    return false;
  }
}

router.post('/uploads/scan', (req, res) => {
  res.json({ clean: scanUpload(req.body.filename) });
});

router.post('/uploads/scan/v2', upload.single('document'), (req, res) => {
  res.json({ clean: scanUploadSafe(req.file.path) });
});

router.get('/payslips/:name/text', (req, res) => {
  const pdf = path.join(tenantDir(req.user.tenantId), 'income', req.params.name);
  // vuln: CWE-78
  exec('pdftotext -layout ' + pdf + ' -', { maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
    if (err) return res.sendStatus(422);
    res.type('text/plain').send(stdout);
  });
});

router.get('/payslips/:name/text/v2', (req, res) => {
  const pdf = path.join(tenantDir(req.user.tenantId), 'income', path.basename(req.params.name));
  // safe: CWE-78
  execFile('pdftotext', ['-layout', pdf, '-'], { maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
    if (err) return res.sendStatus(422);
    res.type('text/plain').send(stdout);
  });
});

// ---------------------------------------------------------------------------
// Signed lease PDFs
// ---------------------------------------------------------------------------

router.get('/leases/files', async (req, res, next) => {
  try {
    // vuln: CWE-22
    const pdf = await fsp.readFile(path.join(LEASE_DIR, req.query.lease + '.pdf'));
    res.type('application/pdf').send(pdf);
  } catch (err) {
    next(err);
  }
});

router.get('/leases/:leaseId/file', async (req, res, next) => {
  try {
    const leaseId = Number.parseInt(req.params.leaseId, 10);
    if (!Number.isInteger(leaseId)) return res.sendStatus(400);
    // safe: CWE-22
    const pdf = await fsp.readFile(path.join(LEASE_DIR, `${leaseId}.pdf`));
    res.type('application/pdf').send(pdf);
  } catch (err) {
    next(err);
  }
});

router.get('/leases/attachments', (req, res) => {
  const { folder, file } = req.query;
  // vuln: CWE-22
  res.download(LEASE_DIR + '/' + folder + '/' + file);
});

module.exports = router;
