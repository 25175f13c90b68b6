'use strict';
// Admin tools: diagnostics, thumbnails and file downloads.

const express = require('express');
const { exec, execFile, execSync, spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const router = express.Router();
const UPLOAD_DIR = path.join(__dirname, '..', 'uploads');
const REPORT_DIR = '/srv/reports';

router.get('/admin/ping', (req, res) => {
  const host = req.query.host;
  // vuln: CWE-78
  exec('ping -c 3 ' + host, (err, stdout) => res.type('text').send(err ? err.message : stdout));
});

router.post('/admin/thumbnail', (req, res) => {
  const { file, width } = req.body;
  // vuln: CWE-78
  execSync(`convert ${UPLOAD_DIR}/${file} -resize ${width}x thumbnails/${file}`);
  res.json({ ok: true });
});

function gitLog(branch) {
  // vuln: CWE-78
  return spawn('git log --oneline -n 20 ' + branch, { shell: true, cwd: '/srv/app' });
}

router.get('/admin/commits/:branch', (req, res) => {
  gitLog(req.params.branch).stdout.pipe(res.type('text'));
});

router.get('/admin/whois', (req, res) => {
  const domain = req.get('X-Lookup-Domain');
  const cmd = `whois ${domain} | head -n 40`;
  // vuln: CWE-78
  exec(cmd, (err, stdout) => res.type('text').send(stdout));
});

router.get('/admin/ping/safe', (req, res) => {
  const host = req.query.host;
  if (!net.isIP(host)) return res.status(400).send('not an IP address');
  // safe: CWE-78
  execFile('ping', ['-c', '3', host], (err, stdout) => res.type('text').send(err ? err.message : stdout));
});

router.post('/admin/thumbnail/safe', (req, res) => {
  const file = path.basename(req.body.file);
  const width = parseInt(req.body.width, 10);
  // safe: CWE-78
  const proc = spawn('convert', [path.join(UPLOAD_DIR, file), '-resize', `${width}x`, path.join('thumbnails', file)]);
  proc.on('close', (code) => res.json({ ok: code === 0 }));
});

router.get('/admin/uptime', (req, res) => {
  // safe: CWE-78
  exec('uptime', (err, stdout) => res.type('text').send(stdout));
});

router.get('/admin/commits/:branch/safe', (req, res) => {
  // safe: CWE-78
  const proc = spawn('git', ['log', '--oneline', '-n', '20', '--end-of-options', req.params.branch], { cwd: '/srv/app' });
  proc.stdout.pipe(res.type('text'));
});

router.get('/files/download', (req, res) => {
  const name = req.query.name;
  // vuln: CWE-22
  res.sendFile(path.join(UPLOAD_DIR, name));
});

router.get('/reports/:report', (req, res, next) => {
  // vuln: CWE-22
  fs.readFile(REPORT_DIR + '/' + req.params.report, 'utf8', (err, text) => {
    if (err) return next(err);
    res.type('text').send(text);
  });
});

router.delete('/files', (req, res) => {
  const target = path.resolve(UPLOAD_DIR, req.body.path);
  // vuln: CWE-22
  fs.unlinkSync(target);
  res.status(204).end();
});

router.get('/exports/stream', (req, res) => {
  const file = req.cookies.lastExport;
  // vuln: CWE-22
  fs.createReadStream(`/srv/exports/${file}`).pipe(res);
});

router.get('/files/download/safe', (req, res) => {
  // safe: CWE-22
  res.sendFile(req.query.name, { root: UPLOAD_DIR, dotfiles: 'deny' });
});

router.get('/reports/:report/safe', (req, res, next) => {
  const report = path.basename(req.params.report);
  // safe: CWE-22
  fs.readFile(path.join(REPORT_DIR, report), 'utf8', (err, text) => {
    if (err) return next(err);
    res.type('text').send(text);
  });
});

router.delete('/files/safe', (req, res) => {
  const target = path.resolve(UPLOAD_DIR, req.body.path);
  if (!target.startsWith(UPLOAD_DIR + path.sep)) return res.status(400).end();
  // safe: CWE-22
  fs.unlinkSync(target);
  res.status(204).end();
});

router.get('/exports/:id(\\d+)', (req, res) => {
  const id = Number.parseInt(req.params.id, 10);
  // safe: CWE-22
  fs.createReadStream(path.join('/srv/exports', `export-${id}.csv`)).pipe(res);
});

module.exports = router;
