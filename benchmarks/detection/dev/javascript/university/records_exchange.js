'use strict';

// Imports and exports of academic records: grade sheets and programme catalogues in
// XML, column mappings in YAML, CSV enrolment lists and the import wizard state.

const express = require('express');
const multer = require('multer');
const fs = require('fs');
const libxmljs = require('libxmljs');
const xpath = require('xpath');
const { DOMParser } = require('@xmldom/xmldom');
const yaml = require('js-yaml');
const serialize = require('node-serialize');
const Cryo = require('cryo');
const { parse: parseCsv } = require('csv-parse/sync');
const { XMLParser } = require('fast-xml-parser');

const router = express.Router();
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 10 * 1024 * 1024 } });
const xmlBody = express.text({ type: ['application/xml', 'text/xml'], limit: '5mb' });

const REGISTRY_PATH = '/srv/uniportal/exports/registry.xml';
const programmesDoc = libxmljs.parseXml(fs.readFileSync('/srv/uniportal/exports/programmes.xml', 'utf8'));

function loadRegistry() {
  return new DOMParser().parseFromString(fs.readFileSync(REGISTRY_PATH, 'utf8'), 'text/xml');
}

function gradesFromDoc(doc) {
  return doc.find('//grade').map((g) => ({ student: g.attr('student').value(), course: g.attr('course').value(), mark: g.text() }));
}

// POST /imports/grades  (XML body from the exam board's spreadsheet macro)
router.post('/imports/grades', xmlBody, async (req, res, next) => {
  try {
    // vuln: CWE-611
    const doc = libxmljs.parseXml(req.body, { noent: true });
    const grades = gradesFromDoc(doc);
    await req.db.insertGrades(grades);
    res.status(201).json({ imported: grades.length });
  } catch (err) {
    next(err);
  }
});

// POST /imports/grades/v2
router.post('/imports/grades/v2', xmlBody, async (req, res, next) => {
  try {
    // safe: CWE-611
    const doc = libxmljs.parseXml(req.body, { noent: false, dtdload: false, nonet: true });
    const grades = gradesFromDoc(doc);
    await req.db.insertGrades(grades);
    res.status(201).json({ imported: grades.length });
  } catch (err) {
    next(err);
  }
});

// POST /imports/programmes  (multipart upload of a programme catalogue)
router.post('/imports/programmes', upload.single('catalogue'), async (req, res, next) => {
  try {
    // vuln: CWE-611
    const doc = libxmljs.parseXmlString(req.file.buffer.toString('utf8'), { noent: true, dtdload: true, dtdvalid: true });
    const codes = doc.find('//programme/code').map((n) => n.text());
    res.json({ programmes: codes });
  } catch (err) {
    next(err);
  }
});

// POST /imports/modules  (multipart upload of module descriptors)
router.post('/imports/modules', upload.single('modules'), async (req, res, next) => {
  try {
    // safe: CWE-611
    const doc = new DOMParser().parseFromString(req.file.buffer.toString('utf8'), 'text/xml');
    const codes = xpath.select('//module/code/text()', doc).map((n) => n.data);
    res.json({ modules: codes });
  } catch (err) {
    next(err);
  }
});

// GET /exports/transcript?studentId=S1234567
router.get('/exports/transcript', (req, res) => {
  const doc = loadRegistry();
  // vuln: CWE-643
  const courses = xpath.select(`//student[@id='${req.query.studentId}']/course`, doc);
  res.json(courses.map((c) => ({ code: c.getAttribute('code'), grade: c.getAttribute('grade') })));
});

// GET /exports/transcript/v2?studentId=S1234567
router.get('/exports/transcript/v2', (req, res) => {
  const doc = loadRegistry();
  // safe: CWE-643
  const courses = xpath.parse('//student[@id=$sid]/course').select({ node: doc, variables: { sid: String(req.query.studentId || '') } });
  res.json(courses.map((c) => ({ code: c.getAttribute('code'), grade: c.getAttribute('grade') })));
});

// GET /exports/programmes/:code/requirements
router.get('/exports/programmes/:code/requirements', (req, res) => {
  // vuln: CWE-643
  const node = programmesDoc.get("//programme[code='" + req.params.code + "']/requirements");
  if (!node) return res.sendStatus(404);
  res.type('application/xml').send(node.toString());
});

// GET /exports/cohorts/:year
router.get('/exports/cohorts/:year', (req, res) => {
  const year = Number.parseInt(req.params.year, 10);
  if (!Number.isInteger(year)) return res.sendStatus(400);
  // safe: CWE-643
  const nodes = programmesDoc.find(`//cohort[@year=${year}]/student`);
  res.json(nodes.map((n) => n.attr('id').value()));
});

// POST /imports/mappings  (YAML column mapping uploaded with a CSV import)
router.post('/imports/mappings', upload.single('mapping'), (req, res) => {
  // vuln: CWE-502
  const mapping = yaml.load(req.file.buffer.toString('utf8'), { schema: yaml.DEFAULT_FULL_SCHEMA });
  res.json({ columns: Object.keys(mapping.columns || {}) });
});

// POST /imports/mappings/v2
router.post('/imports/mappings/v2', upload.single('mapping'), (req, res) => {
  // safe: CWE-502
  const mapping = yaml.safeLoad(req.file.buffer.toString('utf8'));
  res.json({ columns: Object.keys(mapping.columns || {}) });
});

// POST /imports/enrolments.csv  (CSV upload plus optional YAML options)
router.post('/imports/enrolments.csv', upload.fields([{ name: 'csv' }, { name: 'options' }]), async (req, res, next) => {
  try {
    const optionsText = req.files.options ? req.files.options[0].buffer.toString('utf8') : 'delimiter: ","';
    // safe: CWE-502
    const options = yaml.load(optionsText, { schema: yaml.JSON_SCHEMA });
    const records = parseCsv(req.files.csv[0].buffer, { columns: true, skip_empty_lines: true, delimiter: options.delimiter || ',' });
    await req.db.insertEnrolments(records);
    res.status(201).json({ imported: records.length });
  } catch (err) {
    next(err);
  }
});

// GET /imports/wizard/resume  (state kept in a cookie between wizard steps)
router.get('/imports/wizard/resume', (req, res) => {
  // vuln: CWE-502
  const state = serialize.unserialize(Buffer.from(req.cookies.import_wizard, 'base64').toString('utf8'));
  res.render('imports/wizard', { step: state.step, columns: state.columns });
});

// POST /imports/wizard/restore  (hidden form field with the previous step's state)
router.post('/imports/wizard/restore', express.urlencoded({ extended: false }), (req, res) => {
  // vuln: CWE-502
  const state = Cryo.parse(req.body.wizardState);
  res.render('imports/wizard', { step: state.step, columns: state.columns });
});

// GET /imports/wizard/v2/resume
router.get('/imports/wizard/v2/resume', (req, res) => {
  // safe: CWE-502
  const state = JSON.parse(Buffer.from(req.cookies.import_wizard || 'e30=', 'base64').toString('utf8'));
  res.render('imports/wizard', { step: Number(state.step) || 1, columns: Array.isArray(state.columns) ? state.columns : [] });
});

// GET /exports/registry.json  (converts the nightly registry export)
router.get('/exports/registry.json', (req, res) => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
  res.json(parser.parse(fs.readFileSync(REGISTRY_PATH, 'utf8')));
});

module.exports = router;
