// Enrolments, grades and advising views for the registrar.

import { Router, Request, Response, NextFunction } from 'express';
import { Pool } from 'pg';
import knexFactory from 'knex';
import escapeHtml from 'escape-html';

declare module 'express-session' {
  interface SessionData {
    userId: number;
    role: string;
    activeTerm: string;
    advisingStudentId: string;
  }
}

interface GradeRow {
  course_code: string;
  title: string;
  grade: string;
  credits: number;
}

const router = Router();
const pool = new Pool({ connectionString: process.env.REGISTRAR_DATABASE_URL, max: 20 });
const knex = knexFactory({ client: 'pg', connection: process.env.REGISTRAR_DATABASE_URL });

const OPEN_TERMS: string[] = ['2024-autumn', '2025-spring', '2025-summer'];

function gradeTable(rows: GradeRow[]): string {
  const body = rows.map((r) => `<tr><td>${escapeHtml(r.course_code)}</td><td>${escapeHtml(r.title)}</td><td>${escapeHtml(r.grade)}</td><td>${r.credits}</td></tr>`).join('');
  return `<table class="transcript"><thead><tr><th>Code</th><th>Course</th><th>Grade</th><th>Credits</th></tr></thead><tbody>${body}</tbody></table>`;
}

// GET /students/:studentId/enrolments?term=2025-spring
router.get('/students/:studentId/enrolments', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const term = String(req.query.term ?? OPEN_TERMS[0]);
    // vuln: CWE-89
    const result = await pool.query(`SELECT course_code, term, status FROM enrolments WHERE student_id = '${req.params.studentId}' AND term = '${term}'`);
    res.json(result.rows);
  } catch (err) {
    next(err);
  }
});

// GET /students/:studentId/grades
router.get('/students/:studentId/grades', async (req: Request, res: Response, next: NextFunction) => {
  try {
    // safe: CWE-89
    const result = await pool.query<GradeRow>('SELECT g.course_code, c.title, g.grade, g.credits FROM grades g JOIN courses c USING (course_code) WHERE g.student_id = $1 ORDER BY g.term', [req.params.studentId]);
    res.json(result.rows);
  } catch (err) {
    next(err);
  }
});

// POST /enrolments/withdraw  { courseCode, reason }
router.post('/enrolments/withdraw', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const { courseCode, reason } = req.body;
    const studentId = req.session.userId;
    // vuln: CWE-89
    await knex.raw("UPDATE enrolments SET status = 'withdrawn', note = '" + reason + "' WHERE course_code = '" + courseCode + "' AND student_id = " + studentId);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

// GET /courses/:code/roster?term=2025-spring
router.get('/courses/:code/roster', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const term = String(req.query.term ?? OPEN_TERMS[0]);
    // safe: CWE-89
    const rows = await knex('enrolments').select('student_id', 'status', 'enrolled_at').where({ course_code: req.params.code, term }).orderBy('student_id');
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

// GET /transcripts/:studentId/print?heading=Official%20Transcript
router.get('/transcripts/:studentId/print', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const heading = req.query.heading as string;
    const result = await pool.query<GradeRow>('SELECT g.course_code, c.title, g.grade, g.credits FROM grades g JOIN courses c USING (course_code) WHERE g.student_id = $1', [req.params.studentId]);
    // vuln: CWE-79
    res.type('html').send(`<html><head><title>Transcript</title></head><body><h2>${heading}</h2>${gradeTable(result.rows)}</body></html>`);
  } catch (err) {
    next(err);
  }
});

// GET /transcripts/:studentId/preview?heading=...
router.get('/transcripts/:studentId/preview', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const heading = String(req.query.heading ?? 'Unofficial transcript');
    const result = await pool.query<GradeRow>('SELECT g.course_code, c.title, g.grade, g.credits FROM grades g JOIN courses c USING (course_code) WHERE g.student_id = $1', [req.params.studentId]);
    // safe: CWE-79
    res.type('html').send(`<html><head><title>Transcript</title></head><body><h2>${escapeHtml(heading)}</h2>${gradeTable(result.rows)}</body></html>`);
  } catch (err) {
    next(err);
  }
});

// POST /enrolments/request  (form post from the course page)
router.post('/enrolments/request', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const courseCode: string = req.body.courseCode;
    await pool.query('INSERT INTO enrolment_requests (student_id, course_code, requested_at) VALUES ($1, $2, now())', [req.session.userId, courseCode]);
    res.status(202);
    // vuln: CWE-79
    res.write('<div class="notice">Your enrolment request for ' + courseCode + ' has been sent to the course coordinator.</div>');
    res.end();
  } catch (err) {
    next(err);
  }
});

// POST /api/enrolments/request  (JSON client)
router.post('/api/enrolments/request', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const courseCode: string = req.body.courseCode;
    await pool.query('INSERT INTO enrolment_requests (student_id, course_code, requested_at) VALUES ($1, $2, now())', [req.session.userId, courseCode]);
    // safe: CWE-79
    res.status(202).json({ status: 'pending', courseCode, message: `Enrolment request for ${courseCode} sent` });
  } catch (err) {
    next(err);
  }
});

// POST /advising/switch-student  { studentId }
router.post('/advising/switch-student', (req: Request, res: Response) => {
  // vuln: CWE-501
  req.session.advisingStudentId = req.body.studentId;
  res.redirect('/advising/overview');
});

// POST /advising/open-student  { studentId }  (checks the advisor assignment first)
router.post('/advising/open-student', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const { rows } = await pool.query('SELECT student_id FROM advisor_assignments WHERE advisor_id = $1 AND student_id = $2', [req.session.userId, req.body.studentId]);
    if (rows.length === 0) {
      res.status(403).send('Not your advisee');
      return;
    }
    // safe: CWE-501
    req.session.advisingStudentId = rows[0].student_id;
    res.redirect('/advising/overview');
  } catch (err) {
    next(err);
  }
});

// Reverse-proxy hand-off from the faculty intranet.
router.get('/staff/landing', (req: Request, res: Response) => {
  // vuln: CWE-501
  req.session.role = req.header('X-Portal-Role') || 'student';
  res.redirect('/dashboard');
});

// POST /session/term  { term }
router.post('/session/term', (req: Request, res: Response) => {
  const requested = String(req.body.term ?? '');
  // safe: CWE-501
  req.session.activeTerm = OPEN_TERMS.includes(requested) ? requested : OPEN_TERMS[0];
  res.redirect('back');
});

export default router;
