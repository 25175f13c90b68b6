'use strict';

// Admin maintenance tools: grading formula preview, report filters, backups,
// service restarts, log viewer and the job replay console.

const express = require('express');
const path = require('path');
const fsp = require('fs/promises');
const vm = require('vm');
const util = require('util');
const { exec, execFile, spawn } = require('child_process');
const serialize = require('node-serialize');

const execAsync = util.promisify(exec);
const execFileAsync = util.promisify(execFile);

const router = express.Router();
router.use(express.json({ limit: '1mb' }));

const LOG_DIR = '/var/log/uniportal';
const BACKUP_DIR = '/var/backups/uniportal';
const DB_NAME = 'registrar';
const RESTARTABLE_SERVICES = new Set(['uniportal-web', 'uniportal-worker', 'uniportal-scheduler']);
const MAINTENANCE_SCRIPTS_DIR = path.join(__dirname, 'maintenance');
const MAINTENANCE_TASKS = { 'reindex-courses': 'reindex-courses.js', 'expire-holds': 'expire-holds.js', 'recalculate-gpa': 'recalculate-gpa.js' };
const LOG_FILES = { web: 'web.log', worker: 'worker.log', scheduler: 'scheduler.log', audit: 'audit.log' };

// Grading schemes maintained by the exams office; keys are shown in the admin UI.
const GRADING_SCHEMES = {
  standard: 'exam * 0.6 + coursework * 0.4',
  project: 'coursework * 0.8 + quiz * 0.2',
  continuous: '(exam + coursework + quiz) / 3',
};

function numericScores(raw) {
  return {
    exam: Number(raw.exam) || 0,
    coursework: Number(raw.coursework) || 0,
    quiz: Number(raw.quiz) || 0,
  };
}

// POST /admin/grading/preview  { formula: "exam * 0.5 + coursework * 0.5", scores: {...} }
router.post('/grading/preview', (req, res) => {
  const { formula, scores } = req.body;
  const s = numericScores(scores || {});
  // vuln: CWE-95
  const total = eval(formula.replace(/\b(exam|coursework|quiz)\b/g, (name) => String(s[name])));
  res.json({ total });
});

// POST /admin/grading/apply  { scheme: "standard", scores: {...} }
router.post('/grading/apply', (req, res) => {
  const scheme = req.body.scheme;
  if (!Object.prototype.hasOwnProperty.call(GRADING_SCHEMES, scheme)) return res.status(400).json({ error: 'unknown scheme' });
  // safe: CWE-94
  const scorer = new Function('exam', 'coursework', 'quiz', 'return ' + GRADING_SCHEMES[scheme] + ';');
  const s = numericScores(req.body.scores || {});
  res.json({ total: scorer(s.exam, s.coursework, s.quiz) });
});

// POST /admin/grading/weighted  { scores: {...}, weights: {...} }
router.post('/grading/weighted', (req, res) => {
  const weights = { exam: Number(req.body.weights?.exam) || 0, coursework: Number(req.body.weights?.coursework) || 0 };
  const context = { ...numericScores(req.body.scores || {}), weights };
  // safe: CWE-94
  const total = vm.runInNewContext('exam * weights.exam + coursework * weights.coursework', context, { timeout: 50 });
  res.json({ total });
});

// POST /admin/reports/students  { condition: "student.gpa < 2.0 && student.year > 1" }
router.post('/reports/students', async (req, res, next) => {
  try {
    // vuln: CWE-94
    const matches = new Function('student', 'return (' + req.body.condition + ');');
    const students = await req.db.all('SELECT id, name, year, gpa, programme FROM students');
    res.json(students.filter((student) => matches(student)));
  } catch (err) {
    next(err);
  }
});

// GET /admin/reports/enrolments?filter={status:'active',term:'2025-spring'}
router.get('/reports/enrolments', async (req, res, next) => {
  try {
    // vuln: CWE-95
    const filter = eval('(' + (req.query.filter || '{}') + ')');
    const rows = await req.db.all('SELECT student_id, course_code, status, term FROM enrolments');
    res.json(rows.filter((r) => Object.entries(filter).every(([k, v]) => r[k] === v)));
  } catch (err) {
    next(err);
  }
});

// GET /admin/reports/enrolments.json?filter={"status":"active"}
router.get('/reports/enrolments.json', async (req, res, next) => {
  try {
    // safe: CWE-95
    const filter = JSON.parse(req.query.filter || '{}');
    const rows = await req.db.all('SELECT student_id, course_code, status, term FROM enrolments');
    res.json(rows.filter((r) => Object.entries(filter).every(([k, v]) => r[k] === v)));
  } catch (err) {
    next(err);
  }
});

// POST /admin/console  { script: "..." }  -- maintenance console for the ops team
router.post('/console', async (req, res) => {
  const sandbox = { db: req.db, result: null, console };
  // vuln: CWE-94
  const output = vm.runInNewContext(req.body.script, sandbox, { timeout: 5000, filename: 'admin-console.js' });
  res.json({ output: await output });
});

// POST /admin/console/task  { task: "expire-holds" }  -- vetted scripts shipped with the release
router.post('/console/task', async (req, res, next) => {
  try {
    const scriptFile = MAINTENANCE_TASKS[req.body.task];
    if (!scriptFile) return res.status(400).json({ error: 'unknown task' });
    // safe: CWE-94
    const output = vm.runInNewContext(await fsp.readFile(path.join(MAINTENANCE_SCRIPTS_DIR, scriptFile), 'utf8'), { db: req.db, console }, { timeout: 60000 });
    res.json({ output: await output });
  } catch (err) {
    next(err);
  }
});

// POST /admin/maintenance/backup  { database, label }
router.post('/maintenance/backup', async (req, res, next) => {
  try {
    const { database, label } = req.body;
    // vuln: CWE-78
    await execAsync(`pg_dump --format=custom --file=${BACKUP_DIR}/${label}.dump ${database}`);
    res.status(201).json({ file: `${label}.dump` });
  } catch (err) {
    next(err);
  }
});

// POST /admin/maintenance/nightly-backup
router.post('/maintenance/nightly-backup', async (req, res, next) => {
  try {
    const file = path.join(BACKUP_DIR, `${DB_NAME}-${new Date().toISOString().slice(0, 10)}.dump`);
    // safe: CWE-78
    await execFileAsync('pg_dump', ['--format=custom', `--file=${file}`, DB_NAME]);
    res.status(201).json({ file: path.basename(file) });
  } catch (err) {
    next(err);
  }
});

// POST /admin/maintenance/restart  { service }
router.post('/maintenance/restart', (req, res) => {
  // vuln: CWE-78
  const child = spawn('sh', ['-c', 'sudo systemctl restart ' + req.body.service]);
  child.on('close', (code) => res.json({ exitCode: code }));
});

// POST /admin/maintenance/restart/v2  { service }
router.post('/maintenance/restart/v2', (req, res) => {
  const service = String(req.body.service || '');
  if (!RESTARTABLE_SERVICES.has(service)) return res.status(400).json({ error: 'unknown service' });
  // safe: CWE-78
  const child = spawn('sudo', ['systemctl', 'restart', service]);
  child.on('close', (code) => res.json({ exitCode: code }));
});

// GET /admin/logs?name=worker.log
router.get('/logs', async (req, res, next) => {
  try {
    // vuln: CWE-22
    const text = await fsp.readFile(path.join(LOG_DIR, req.query.name), 'utf8');
    res.type('text/plain').send(text.split('\n').slice(-500).join('\n'));
  } catch (err) {
    next(err);
  }
});

// GET /admin/logs/:service
router.get('/logs/:service', async (req, res, next) => {
  try {
    const logFile = LOG_FILES[req.params.service];
    if (!logFile) return res.sendStatus(404);
    // safe: CWE-22
    const text = await fsp.readFile(path.join(LOG_DIR, logFile), 'utf8');
    res.type('text/plain').send(text.split('\n').slice(-500).join('\n'));
  } catch (err) {
    next(err);
  }
});

// POST /admin/jobs/replay  { job: "<serialized job from the dead-letter viewer>" }
router.post('/jobs/replay', async (req, res, next) => {
  try {
    // vuln: CWE-502
    const job = serialize.unserialize(req.body.job);
    await req.queue.add(job.name, job.payload, { attempts: 1 });
    res.status(202).json({ requeued: job.name });
  } catch (err) {
    next(err);
  }
});

// POST /admin/jobs/replay/v2  { job: "{\"name\":...,\"payload\":...}" }
router.post('/jobs/replay/v2', async (req, res, next) => {
  try {
    // safe: CWE-502
    const job = JSON.parse(req.body.job);
    await req.queue.add(String(job.name), job.payload, { attempts: 1 });
    res.status(202).json({ requeued: job.name });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
