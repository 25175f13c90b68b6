'use strict';

// Course catalogue: listing, search, section lookups and a few navigation helpers.

const express = require('express');
const mysql = require('mysql2/promise');
const Database = require('better-sqlite3');
const escapeHtml = require('escape-html');

const router = express.Router();

const pool = mysql.createPool({
  host: process.env.CATALOG_DB_HOST,
  user: process.env.CATALOG_DB_USER,
  password: process.env.CATALOG_DB_PASSWORD,
  database: 'catalogue',
  connectionLimit: 10,
});

// Read-only snapshot of the timetable, rebuilt nightly by the scheduler.
const timetable = new Database('/var/lib/uniportal/timetable.db', { readonly: true, fileMustExist: true });

const SORT_COLUMNS = { code: 'course_code', title: 'title', credits: 'credits', level: 'level' };

function keywordFilter(term) {
  return `title LIKE '%${term}%' OR summary LIKE '%${term}%'`;
}

function isLocalPath(target) {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') && !target.includes('\\');
}

function renderCourseList(rows) {
  return rows.map((r) => `<li><a href="/courses/${encodeURIComponent(r.course_code)}">${escapeHtml(r.course_code)} - ${escapeHtml(r.title)}</a></li>`).join('');
}

// GET /courses?dept=CS
router.get('/courses', async (req, res, next) => {
  try {
    const dept = req.query.dept || 'ALL';
    // vuln: CWE-89
    const [rows] = await pool.query("SELECT course_code, title, credits FROM courses WHERE department = '" + dept + "' ORDER BY course_code");
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

// GET /courses/sorted?sort=credits
router.get('/courses/sorted', async (req, res, next) => {
  try {
    const column = SORT_COLUMNS[req.query.sort] || 'course_code';
    // safe: CWE-89
    const [rows] = await pool.query(`SELECT course_code, title, credits, level FROM courses WHERE active = 1 ORDER BY ${column}`);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

// GET /courses/search?q=algebra
router.get('/courses/search', async (req, res, next) => {
  try {
    const term = req.query.q || '';
    // vuln: CWE-89
    const [rows] = await pool.query(`SELECT course_code, title FROM courses WHERE ${keywordFilter(term)} LIMIT 50`);
    // vuln: CWE-79
    res.send('<h1>Search results for ' + term + '</h1><ul>' + renderCourseList(rows) + '</ul>');
  } catch (err) {
    next(err);
  }
});

// GET /courses/find?q=algebra  (new search page, behind a feature flag)
router.get('/courses/find', async (req, res, next) => {
  try {
    const term = String(req.query.q || '');
    const like = `%${term}%`;
    // safe: CWE-89
    const [rows] = await pool.execute('SELECT course_code, title FROM courses WHERE title LIKE ? OR summary LIKE ? LIMIT 50', [like, like]);
    // safe: CWE-79
    res.send('<h1>Search results for ' + escapeHtml(term) + '</h1><ul>' + renderCourseList(rows) + '</ul>');
  } catch (err) {
    next(err);
  }
});

// GET /courses/:code
router.get('/courses/:code', async (req, res, next) => {
  try {
    // safe: CWE-89
    const [rows] = await pool.execute('SELECT course_code, title, credits, summary, prerequisites FROM courses WHERE course_code = ?', [req.params.code]);
    if (rows.length === 0) {
      // vuln: CWE-79
      return res.status(404).send(`<p>No course with code <b>${req.params.code}</b> is offered this year.</p><a href="/courses">Back to catalogue</a>`);
    }
    // safe: CWE-79
    res.render('courses/detail', { course: rows[0], highlight: req.query.highlight });
  } catch (err) {
    next(err);
  }
});

// GET /timetable?term=2024S&room=B201
router.get('/timetable', (req, res) => {
  // vuln: CWE-89
  const rows = timetable.prepare(`SELECT section_id, course_code, weekday, starts_at, ends_at FROM sections WHERE term = '${req.query.term}' AND room = '${req.query.room}'`).all();
  res.json(rows);
});

// GET /timetable/sections/:sectionId
router.get('/timetable/sections/:sectionId', (req, res) => {
  // safe: CWE-89
  const row = timetable.prepare('SELECT section_id, course_code, instructor, room, capacity FROM sections WHERE section_id = ?').get(req.params.sectionId);
  if (!row) return res.sendStatus(404);
  res.json(row);
});

// Outbound link tracker used in the printed prospectus: /go?url=https://...
router.get('/go', (req, res) => {
  // vuln: CWE-601
  res.redirect(req.query.url);
});

// POST /courses/:code/bookmark (form), then back to where the student came from
router.post('/courses/:code/bookmark', express.urlencoded({ extended: false }), async (req, res, next) => {
  try {
    await pool.execute('INSERT IGNORE INTO bookmarks (student_id, course_code) VALUES (?, ?)', [req.user.id, req.params.code]);
    const back = req.body.returnTo || '/courses';
    // vuln: CWE-601
    res.redirect(303, back);
  } catch (err) {
    next(err);
  }
});

// POST /courses/:code/unbookmark
router.post('/courses/:code/unbookmark', express.urlencoded({ extended: false }), async (req, res, next) => {
  try {
    await pool.execute('DELETE FROM bookmarks WHERE student_id = ? AND course_code = ?', [req.user.id, req.params.code]);
    const back = isLocalPath(req.body.returnTo) ? req.body.returnTo : '/courses';
    // safe: CWE-601
    res.redirect(303, back);
  } catch (err) {
    next(err);
  }
});

// GET /catalogue/legacy/:year -> the archived catalogue pages for that year
router.get('/catalogue/legacy/:year', (req, res) => {
  const year = Number.parseInt(req.params.year, 10);
  if (!Number.isInteger(year) || year < 1990 || year > 2030) return res.sendStatus(404);
  // safe: CWE-601
  res.redirect(301, `/archive/catalogue/${year}/index.html`);
});

module.exports = router;
