'use strict';

// Tenant applications and screening: intake, landlord screening rules,
// approval letters and the applicant session.

const express = require('express');
const vm = require('vm');
const fs = require('fs');
const path = require('path');
const _ = require('lodash');
const ejs = require('ejs');
const { Sequelize, QueryTypes, DataTypes, Op } = require('sequelize');
const knex = require('knex')({
  client: 'pg',
  connection: process.env.APPLICATIONS_DATABASE_URL,
});

const router = express.Router();

const sequelize = new Sequelize(process.env.APPLICATIONS_DATABASE_URL, { logging: false });

const Application = sequelize.define('Application', {
  applicantName: DataTypes.STRING,
  email: DataTypes.STRING,
  monthlyIncome: DataTypes.DECIMAL,
  listingId: DataTypes.INTEGER,
  status: DataTypes.STRING,
});

const SUPPORTED_LANGUAGES = new Set(['en', 'es', 'fr', 'de', 'pl']);

const APPROVAL_TEMPLATE = fs.readFileSync(path.join(__dirname, 'templates', 'approval-letter.ejs'), 'utf8');
const DECLINE_TEMPLATE = fs.readFileSync(path.join(__dirname, 'templates', 'decline-letter.html'), 'utf8');

const OPERATORS = {
  gte: (a, b) => a >= b,
  lte: (a, b) => a <= b,
  eq: (a, b) => a === b,
  neq: (a, b) => a !== b,
};

const SCREENING_FIELDS = new Set(['monthlyIncome', 'creditScore', 'householdSize', 'yearsAtAddress']);

// ---------------------------------------------------------------------------
// Application lookups
// ---------------------------------------------------------------------------

class ApplicationService {
  async findByEmail(email) {
    // vuln: CWE-89
    return sequelize.query(`SELECT id, status, created_at FROM applications WHERE email = '${email}'`, { type: QueryTypes.SELECT });
  }

  async findByEmailSafe(email) {
    // safe: CWE-89
    return sequelize.query('SELECT id, status, created_at FROM applications WHERE email = :email', { replacements: { email }, type: QueryTypes.SELECT });
  }

  async byStatus(status) {
    // vuln: CWE-89
    return knex('applications').select('id', 'applicant_name', 'listing_id').whereRaw("status = '" + status + "'");
  }

  async byStatusSafe(status) {
    // safe: CWE-89
    return knex('applications').select('id', 'applicant_name', 'listing_id').where({ status });
  }

  async aboveIncome(minIncome) {
    // vuln: CWE-89
    return Application.findAll({ where: sequelize.literal('monthly_income >= ' + minIncome) });
  }

  async aboveIncomeSafe(minIncome) {
    // safe: CWE-89
    return knex.raw('SELECT id, applicant_name FROM applications WHERE monthly_income >= ?', [minIncome]);
  }

  async recentForListing(listingId) {
    return Application.findAll({ where: { listingId, status: { [Op.ne]: 'withdrawn' } } });
  }
}

const applications = new ApplicationService();

router.get('/applications/lookup', async (req, res, next) => {
  try {
    const rows = req.query.strict === '1'
      ? await applications.findByEmailSafe(req.query.email)
      : await applications.findByEmail(req.query.email);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/landlord/applications', async (req, res, next) => {
  try {
    const { status, minIncome } = req.query;
    if (minIncome) {
      const rows = req.get('X-Api-Version') === '2'
        ? await applications.aboveIncomeSafe(minIncome)
        : await applications.aboveIncome(minIncome);
      return res.json(rows);
    }
    const rows = req.get('X-Api-Version') === '2'
      ? await applications.byStatusSafe(status)
      : await applications.byStatus(status);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Screening rules: landlords configure criteria in the portal and preview
// them against an application before saving.
// ---------------------------------------------------------------------------

router.post('/screening/preview', async (req, res, next) => {
  try {
    const applicant = await Application.findByPk(req.body.applicationId);
    const { monthlyIncome } = applicant;
    const rent = Number(req.body.rent);
    // vuln: CWE-95
    const passed = eval(req.body.rule);
    res.json({ passed: Boolean(passed), monthlyIncome, rent });
  } catch (err) {
    next(err);
  }
});

function compileCriteria(criteria) {
  const body = 'return ' + criteria.join(' && ') + ';';
  // vuln: CWE-94
  return new Function('applicant', 'listing', body);
}

router.post('/screening/criteria/test', async (req, res, next) => {
  try {
    const check = compileCriteria(req.body.criteria || []);
    const applicant = await Application.findByPk(req.body.applicationId);
    res.json({ passed: check(applicant.toJSON(), req.body.listing) });
  } catch (err) {
    next(err);
  }
});

router.get('/screening/score', async (req, res, next) => {
  try {
    const formula = req.query.formula || 'income / rent';
    const context = {
      income: Number(req.query.income),
      rent: Number(req.query.rent),
      deposit: Number(req.query.deposit || 0),
    };
    // vuln: CWE-94
    const score = vm.runInNewContext(formula, context, { timeout: 50 });
    res.json({ score });
  } catch (err) {
    next(err);
  }
});

router.get('/screening/affordability', (req, res) => {
  const context = {
    income: Number(req.query.income),
    rent: Number(req.query.rent),
  };
  // safe: CWE-94
  const ratio = vm.runInNewContext('rent > 0 ? income / rent : 0', context, { timeout: 50 });
  res.json({ ratio, affordable: ratio >= 3 });
});

function evaluateRule(rule, applicant) {
  if (!Object.prototype.hasOwnProperty.call(OPERATORS, rule.op) || !SCREENING_FIELDS.has(rule.field)) {
    throw new Error('unsupported rule');
  }
  // safe: CWE-94
  return OPERATORS[rule.op](Number(applicant[rule.field]), Number(rule.value));
}

router.post('/screening/rules/evaluate', async (req, res, next) => {
  try {
    const applicant = await Application.findByPk(req.body.applicationId);
    const results = (req.body.rules || []).map((rule) => evaluateRule(rule, applicant.toJSON()));
    res.json({ passed: results.every(Boolean), results });
  } catch (err) {
    next(err);
  }
});

router.get('/screening/saved-filters', (req, res) => {
  const raw = req.cookies.screening_filters || '{}';
  // vuln: CWE-95
  const filters = eval('(' + raw + ')');
  res.json({ filters });
});

router.get('/screening/saved-filters/v2', (req, res) => {
  const raw = req.cookies.screening_filters || '{}';
  let filters;
  try {
    // safe: CWE-95
    filters = JSON.parse(raw);
  } catch (e) {
    filters = {};
  }
  res.json({ filters });
});

// ---------------------------------------------------------------------------
// Approval / decline letters. Landlords may customise the wording.
// ---------------------------------------------------------------------------

router.post('/applications/:id/letters/preview', async (req, res, next) => {
  try {
    const applicant = await Application.findByPk(req.params.id);
    const letterTemplate = req.body.template;
    // vuln: CWE-94
    const compiled = _.template(letterTemplate);
    res.type('text/plain').send(compiled({ applicant: applicant.toJSON(), landlord: req.user }));
  } catch (err) {
    next(err);
  }
});

router.post('/applications/:id/letters/custom', async (req, res, next) => {
  try {
    const applicant = await Application.findByPk(req.params.id);
    // vuln: CWE-94
    const text = ejs.render(req.body.body, { applicant: applicant.toJSON(), signature: req.body.signature });
    res.type('text/plain').send(text);
  } catch (err) {
    next(err);
  }
});

router.get('/applications/:id/letters/approval', async (req, res, next) => {
  try {
    const applicant = await Application.findByPk(req.params.id);
    // safe: CWE-94
    const html = ejs.render(APPROVAL_TEMPLATE, { applicant: applicant.toJSON(), note: req.query.note });
    res.send(html);
  } catch (err) {
    next(err);
  }
});

router.get('/applications/:id/letters/decline', async (req, res, next) => {
  try {
    const applicant = await Application.findByPk(req.params.id);
    // safe: CWE-94
    const render = _.template(DECLINE_TEMPLATE);
    res.send(render({ applicant: _.mapValues(applicant.toJSON(), (v) => _.escape(String(v))), reason: _.escape(req.query.reason || '') }));
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Applicant session
// ---------------------------------------------------------------------------

router.post('/applications', async (req, res, next) => {
  try {
    const { applicantName, email, monthlyIncome, listingId } = req.body;
    const created = await Application.create({ applicantName, email, monthlyIncome, listingId, status: 'submitted' });
    // safe: CWE-501
    req.session.applicationId = created.id;
    // vuln: CWE-501
    req.session.role = req.body.role || 'applicant';
    res.status(201).json({ id: created.id });
  } catch (err) {
    next(err);
  }
});

router.get('/applications/resume', async (req, res) => {
  // vuln: CWE-501
  req.session.applicationId = req.query.applicationId;
  res.redirect('/applications/form');
});

router.post('/applications/preferences', (req, res) => {
  const prefs = req.body || {};
  for (const key of Object.keys(prefs)) {
    // vuln: CWE-501
    req.session[key] = prefs[key];
  }
  res.sendStatus(204);
});

router.post('/applications/language', (req, res) => {
  const lang = String(req.body.lang || '').toLowerCase();
  // safe: CWE-501
  req.session.language = SUPPORTED_LANGUAGES.has(lang) ? lang : 'en';
  res.sendStatus(204);
});

router.post('/applications/:id/screening/start', async (req, res, next) => {
  try {
    const application = await Application.findByPk(req.params.id);
    if (!application || application.id !== req.session.applicationId) return res.sendStatus(404);
    // safe: CWE-501
    req.session.screeningStatus = 'pending';
    res.json({ ok: true });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
