'use strict';

// Promoter portal: event set-up, artwork and promo media, payout statements, guest lists.

const express = require('express');
const multer = require('multer');
const path = require('path');
const fs = require('fs');
const fsp = require('fs/promises');
const crypto = require('crypto');
const { exec, execFile, execSync, spawn } = require('child_process');
const fetch = require('node-fetch');
const libxmljs = require('libxmljs');
const yaml = require('js-yaml');
const { requirePromoter } = require('./middleware/auth');
const { PricingRule, GuestList } = require('./models');

const router = express.Router();
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 20 * 1024 * 1024 } });

const MEDIA_ROOT = process.env.MEDIA_ROOT || '/srv/tix/media';
const ARTWORK_DIR = path.join(MEDIA_ROOT, 'artwork');
const STATEMENTS_DIR = '/srv/tix/payouts/statements';
const GUESTLIST_DIR = '/srv/tix/guestlists';

router.use(requirePromoter);

function promoterDir(base, promoterId) {
  return path.join(base, String(promoterId));
}

router.post('/events/:eventId/artwork', upload.single('artwork'), async (req, res, next) => {
  try {
    const dir = path.join(ARTWORK_DIR, req.params.eventId);
    const fileName = req.body.fileName || req.file.originalname;
    await fsp.mkdir(dir, { recursive: true });
    // vuln: CWE-22
    await fsp.writeFile(path.join(dir, fileName), req.file.buffer);
    res.status(201).json({ file: fileName });
  } catch (err) {
    next(err);
  }
});

router.post('/events/:eventId/banner', upload.single('banner'), async (req, res, next) => {
  try {
    const eventId = Number.parseInt(req.params.eventId, 10);
    const dir = path.join(ARTWORK_DIR, String(eventId));
    const safeName = path.basename(req.file.originalname).replace(/[^\w.-]/g, '_');
    await fsp.mkdir(dir, { recursive: true });
    // safe: CWE-22
    await fsp.writeFile(path.join(dir, safeName), req.file.buffer);

    const src = path.join(dir, safeName);
    const out = path.join(dir, `banner-${crypto.randomUUID()}.jpg`);
    const size = req.body.size;
    // vuln: CWE-78
    exec(`convert "${src}" -resize ${size} -quality 85 "${out}"`, (err) => {
      if (err) return next(err);
      res.status(201).json({ banner: path.basename(out) });
    });
  } catch (err) {
    next(err);
  }
});

router.post('/events/:eventId/poster', upload.single('poster'), async (req, res, next) => {
  try {
    const eventId = Number.parseInt(req.params.eventId, 10);
    const dir = path.join(ARTWORK_DIR, String(eventId));
    const stored = path.join(dir, `${crypto.randomUUID()}.png`);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(stored, req.file.buffer);
    const size = /^\d{2,4}x\d{2,4}$/.test(req.body.size || '') ? req.body.size : '1200x630';
    // safe: CWE-78
    execFile('convert', [stored, '-resize', size, '-quality', '85', stored.replace(/\.png$/, '.jpg')], (err) => {
      if (err) return next(err);
      res.status(201).json({ ok: true });
    });
  } catch (err) {
    next(err);
  }
});

router.post('/events/:eventId/promo-video/thumbnail', express.json(), (req, res) => {
  const video = path.join(MEDIA_ROOT, 'video', `${Number(req.params.eventId)}.mp4`);
  const thumb = path.join(MEDIA_ROOT, 'video', `${Number(req.params.eventId)}-thumb.jpg`);
  const offset = req.body.timestamp;
  const cmd = 'ffmpeg -y -i ' + video + ' -ss ' + offset + ' -frames:v 1 ' + thumb;
  // vuln: CWE-78
  execSync(cmd, { timeout: 30000 });
  res.json({ thumbnail: path.basename(thumb) });
});

router.post('/events/:eventId/promo-video/preview', express.json(), (req, res) => {
  const video = path.join(MEDIA_ROOT, 'video', `${Number(req.params.eventId)}.mp4`);
  const preview = path.join(MEDIA_ROOT, 'video', `${Number(req.params.eventId)}-preview.mp4`);
  const seconds = Math.max(0, Math.min(600, Number(req.body.start) || 0));
  // safe: CWE-78
  const proc = spawn('ffmpeg', ['-y', '-ss', String(seconds), '-i', video, '-t', '15', '-c', 'copy', preview]);
  proc.on('close', (code) => res.status(code === 0 ? 201 : 500).end());
});

router.get('/payouts/statements', (req, res) => {
  const dir = promoterDir(STATEMENTS_DIR, req.user.promoterId);
  // vuln: CWE-22
  res.sendFile(path.join(dir, req.query.file));
});

router.get('/payouts/statements/:name', (req, res) => {
  const dir = promoterDir(STATEMENTS_DIR, req.user.promoterId);
  // safe: CWE-22
  res.sendFile(req.params.name, { root: dir, dotfiles: 'deny' });
});

router.get('/payouts/statements/:year/csv', (req, res) => {
  const statementName = req.get('X-Statement-Name') || `${req.params.year}.csv`;
  res.type('text/csv');
  // vuln: CWE-22
  fs.createReadStream(`${STATEMENTS_DIR}/${req.user.promoterId}/${statementName}`).pipe(res);
});

router.delete('/guest-lists/:file', async (req, res, next) => {
  try {
    const base = path.resolve(GUESTLIST_DIR, String(req.user.promoterId));
    const target = path.resolve(base, req.params.file);
    if (!target.startsWith(base + path.sep)) {
      return res.status(400).json({ error: 'invalid file' });
    }
    // safe: CWE-22
    await fsp.unlink(target);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.post('/guest-lists/archive', express.urlencoded({ extended: false }), async (req, res, next) => {
  try {
    const base = path.resolve(GUESTLIST_DIR, String(req.user.promoterId));
    // vuln: CWE-22
    await fsp.rename(path.resolve(base, req.body.filename), path.join(base, 'archive', `${Date.now()}.csv`));
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.get('/guest-lists/:listId/export', async (req, res, next) => {
  try {
    const list = await GuestList.findOne({ where: { id: req.params.listId, promoterId: req.user.promoterId } });
    if (!list) return res.sendStatus(404);
    // safe: CWE-22
    res.download(path.join(GUESTLIST_DIR, String(req.user.promoterId), `${list.id}.csv`), `guest-list-${list.id}.csv`);
  } catch (err) {
    next(err);
  }
});

router.post('/guest-lists/:listId/import-xml', upload.single('guests'), async (req, res, next) => {
  try {
    // vuln: CWE-611
    const doc = libxmljs.parseXmlString(req.file.buffer.toString('utf8'), { noent: true, noblanks: true });
    const guests = doc.find('//guest').map((g) => ({ name: g.attr('name').value(), plusOnes: Number(g.attr('plusOnes') ? g.attr('plusOnes').value() : 0) }));
    await GuestList.update({ guests }, { where: { id: req.params.listId, promoterId: req.user.promoterId } });
    res.json({ imported: guests.length });
  } catch (err) {
    next(err);
  }
});

router.post('/events/import-setup', upload.single('setup'), async (req, res, next) => {
  try {
    // safe: CWE-502
    const setup = yaml.load(req.file.buffer.toString('utf8'), { schema: yaml.CORE_SCHEMA });
    res.json({ title: setup.title, sessions: (setup.sessions || []).length });
  } catch (err) {
    next(err);
  }
});

router.post('/events/:eventId/pricing-rules', express.json(), async (req, res, next) => {
  try {
    const { name, expression } = req.body;
    // vuln: CWE-94
    const compiled = new Function('base', 'soldRatio', 'daysOut', `return (${expression});`);
    const preview = compiled(5000, 0.5, 14);
    await PricingRule.create({ eventId: req.params.eventId, name, expression });
    res.status(201).json({ preview });
  } catch (err) {
    next(err);
  }
});

router.get('/events/:eventId/pricing-preview', async (req, res) => {
  const base = Number(req.query.base) || 5000;
  const soldRatio = Number(req.query.soldRatio) || 0;
  // safe: CWE-94
  const surge = new Function('base', 'soldRatio', 'return Math.round(base * (1 + Math.max(0, soldRatio - 0.7)));');
  res.json({ price: surge(base, soldRatio) });
});

router.post('/webhooks/test', express.json(), async (req, res) => {
  const { url } = req.body;
  try {
    // vuln: CWE-918
    const resp = await fetch(url, { method: 'POST', body: JSON.stringify({ type: 'ping', promoterId: req.user.promoterId }), headers: { 'Content-Type': 'application/json' }, timeout: 5000 });
    res.json({ status: resp.status });
  } catch (err) {
    res.status(502).json({ error: err.message });
  }
});

module.exports = router;
