'use strict';

// Student file uploads: assignment submissions, profile photos, document conversion
// and downloads of stored files.

const express = require('express');
const multer = require('multer');
const path = require('path');
const fs = require('fs');
const fsp = require('fs/promises');
const crypto = require('crypto');
const util = require('util');
const { exec, execFile } = require('child_process');

const execAsync = util.promisify(exec);
const execFileAsync = util.promisify(execFile);

const router = express.Router();

const UPLOAD_ROOT = '/srv/uniportal/uploads';
const PHOTO_DIR = path.join(UPLOAD_ROOT, 'photos');
const TRANSCRIPT_DIR = '/srv/uniportal/transcripts';
const CONVERTED_DIR = path.join(UPLOAD_ROOT, 'converted');
const CONVERT_FORMATS = new Set(['pdf', 'docx', 'odt', 'txt']);

const upload = multer({ dest: '/srv/uniportal/tmp', limits: { fileSize: 25 * 1024 * 1024 } });

function resolveInside(baseDir, relative) {
  const base = path.resolve(baseDir);
  const resolved = path.resolve(base, relative);
  if (!resolved.startsWith(base + path.sep)) {
    const err = new Error('path outside of storage area');
    err.status = 400;
    throw err;
  }
  return resolved;
}

// POST /assignments/:assignmentId/submissions  (multipart, field "file")
router.post('/assignments/:assignmentId/submissions', upload.single('file'), async (req, res, next) => {
  try {
    const dir = path.join(UPLOAD_ROOT, 'assignments', req.params.assignmentId, String(req.user.id));
    await fsp.mkdir(dir, { recursive: true });
    // vuln: CWE-22
    await fsp.rename(req.file.path, path.join(dir, req.file.originalname));
    res.status(201).json({ stored: req.file.originalname });
  } catch (err) {
    next(err);
  }
});

// POST /profile/photo  (multipart, field "photo")
router.post('/profile/photo', upload.single('photo'), async (req, res, next) => {
  try {
    const ext = path.extname(req.file.originalname).toLowerCase();
    if (!['.jpg', '.jpeg', '.png'].includes(ext)) return res.status(415).send('Unsupported image type');
    const storedName = crypto.randomUUID() + ext;
    // safe: CWE-22
    await fsp.rename(req.file.path, path.join(PHOTO_DIR, storedName));
    await req.db.query('UPDATE students SET photo = $1 WHERE id = $2', [storedName, req.user.id]);
    res.status(201).json({ photo: storedName });
  } catch (err) {
    next(err);
  }
});

// GET /files/:studentId/:name
router.get('/files/:studentId/:name', (req, res) => {
  // vuln: CWE-22
  res.download(path.join(UPLOAD_ROOT, 'students', req.params.studentId, req.params.name));
});

// GET /public/handouts/:name
router.get('/public/handouts/:name', (req, res) => {
  // safe: CWE-22
  res.sendFile(req.params.name, { root: path.join(UPLOAD_ROOT, 'handouts'), dotfiles: 'deny' });
});

// GET /transcripts/archive?file=2019/123456.pdf
router.get('/transcripts/archive', (req, res) => {
  const file = req.query.file;
  res.type('application/pdf');
  // vuln: CWE-22
  fs.createReadStream(`${TRANSCRIPT_DIR}/${file}`).pipe(res);
});

// GET /transcripts/archive/v2?file=2019/123456.pdf
router.get('/transcripts/archive/v2', (req, res, next) => {
  try {
    const target = resolveInside(TRANSCRIPT_DIR, String(req.query.file || ''));
    res.type('application/pdf');
    // safe: CWE-22
    fs.createReadStream(target).pipe(res);
  } catch (err) {
    next(err);
  }
});

// DELETE /assignments/:assignmentId/submissions/:name
router.delete('/assignments/:assignmentId/submissions/:name', async (req, res, next) => {
  try {
    const assignmentId = Number.parseInt(req.params.assignmentId, 10);
    if (!Number.isInteger(assignmentId)) return res.sendStatus(400);
    const dir = path.join(UPLOAD_ROOT, 'assignments', String(assignmentId), String(req.user.id));
    // safe: CWE-22
    await fsp.unlink(path.join(dir, path.basename(req.params.name)));
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

// POST /documents/convert  (multipart: file + format)
router.post('/documents/convert', upload.single('document'), async (req, res, next) => {
  try {
    const format = req.body.format || 'pdf';
    // vuln: CWE-78
    await execAsync(`soffice --headless --convert-to ${format} --outdir ${CONVERTED_DIR} ${req.file.path}`);
    res.download(path.join(CONVERTED_DIR, `${path.basename(req.file.path)}.${format}`));
  } catch (err) {
    next(err);
  }
});

// POST /documents/convert/v2  (multipart: file + format)
router.post('/documents/convert/v2', upload.single('document'), async (req, res, next) => {
  try {
    const format = CONVERT_FORMATS.has(req.body.format) ? req.body.format : 'pdf';
    // safe: CWE-78
    await execFileAsync('soffice', ['--headless', '--convert-to', format, '--outdir', CONVERTED_DIR, req.file.path]);
    res.download(path.join(CONVERTED_DIR, `${path.basename(req.file.path)}.${format}`));
  } catch (err) {
    next(err);
  }
});

// GET /students/:studentId/quota
router.get('/students/:studentId/quota', async (req, res, next) => {
  try {
    // vuln: CWE-78
    const { stdout } = await execAsync('du -sk ' + path.join(UPLOAD_ROOT, 'students', req.params.studentId));
    res.json({ usedKb: Number.parseInt(stdout.split('\t')[0], 10) });
  } catch (err) {
    next(err);
  }
});

// GET /me/quota
router.get('/me/quota', async (req, res, next) => {
  try {
    const dir = path.join(UPLOAD_ROOT, 'students', String(req.user.id));
    // safe: CWE-78
    const { stdout } = await execFileAsync('du', ['-sk', dir]);
    res.json({ usedKb: Number.parseInt(stdout.split('\t')[0], 10) });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
