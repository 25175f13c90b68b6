'use strict';

// Partner feeds: listing syndication imports (XML), unit inventory (YAML),
// e-signature envelope callbacks and resumable import jobs.

const express = require('express');
const multer = require('multer');
const libxmljs = require('libxmljs');
const libxmljs2 = require('libxmljs2');
const xml2js = require('xml2js');
const { XMLParser } = require('fast-xml-parser');
const { DOMParser } = require('@xmldom/xmldom');
const yaml = require('js-yaml');
const serialize = require('node-serialize');
const cryo = require('cryo');
const funcster = require('funcster');
const axios = require('axios');
const db = require('./db');

const router = express.Router();
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 20 * 1024 * 1024 } });

const rawXml = express.text({ type: ['application/xml', 'text/xml'], limit: '10mb' });
const rawYaml = express.text({ type: ['application/yaml', 'application/x-yaml', 'text/yaml'], limit: '5mb' });

function listingsFromDoc(doc) {
  return doc.find('//listing').map((node) => ({
    externalRef: node.attr('ref') ? node.attr('ref').value() : null,
    title: node.get('title') ? node.get('title').text() : '',
    rent: Number(node.get('rent') ? node.get('rent').text() : 0),
    city: node.get('address/city') ? node.get('address/city').text() : '',
  }));
}

// ---------------------------------------------------------------------------
// Syndication feeds (XML)
// ---------------------------------------------------------------------------

router.post('/partners/:partnerId/feed', rawXml, async (req, res, next) => {
  try {
    // vuln: CWE-611
    const doc = libxmljs.parseXml(req.body, { noent: true, noblanks: true });
    const items = listingsFromDoc(doc);
    await db.syndication.upsertMany(req.params.partnerId, items);
    res.json({ imported: items.length });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/feed/v2', rawXml, async (req, res, next) => {
  try {
    // safe: CWE-611
    const doc = libxmljs.parseXml(req.body, { noent: false, nonet: true, noblanks: true });
    const items = listingsFromDoc(doc);
    await db.syndication.upsertMany(req.params.partnerId, items);
    res.json({ imported: items.length });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/feed/upload', upload.single('feed'), async (req, res, next) => {
  try {
    const xml = req.file.buffer.toString('utf8');
    // vuln: CWE-611
    const doc = libxmljs.parseXmlString(xml, { noent: true, dtdload: true });
    const items = listingsFromDoc(doc);
    await db.syndication.upsertMany(req.params.partnerId, items);
    res.json({ imported: items.length });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/feed/upload/v2', upload.single('feed'), async (req, res, next) => {
  try {
    const xml = req.file.buffer.toString('utf8');
    // safe: CWE-611
    const doc = libxmljs.parseXmlString(xml);
    const items = listingsFromDoc(doc);
    await db.syndication.upsertMany(req.params.partnerId, items);
    res.json({ imported: items.length });
  } catch (err) {
    next(err);
  }
});

async function pullPartnerFeed(partner) {
  const { data } = await axios.get(partner.feedUrl, { responseType: 'text', timeout: 15000 });
  // vuln: CWE-611
  return libxmljs2.parseXml(data, { noent: true, nocdata: true });
}

router.post('/partners/:partnerId/feed/pull', async (req, res, next) => {
  try {
    const partner = await db.partners.findById(req.params.partnerId);
    const doc = await pullPartnerFeed(partner);
    const items = listingsFromDoc(doc);
    await db.syndication.upsertMany(partner.id, items);
    res.json({ imported: items.length });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/feed/json-compat', rawXml, async (req, res, next) => {
  try {
    // safe: CWE-611
    const parsed = await xml2js.parseStringPromise(req.body, { explicitArray: false, mergeAttrs: true });
    const listings = [].concat(parsed.feed.listing || []);
    await db.syndication.upsertMany(req.params.partnerId, listings.map((l) => ({ externalRef: l.ref, title: l.title, rent: Number(l.rent) })));
    res.json({ imported: listings.length });
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// E-signature envelope callbacks (lease signing provider posts XML status)
// ---------------------------------------------------------------------------

router.post('/esign/callback', rawXml, async (req, res, next) => {
  try {
    const envelopeXml = req.body;
    // vuln: CWE-611
    const envelope = libxmljs.parseXml(envelopeXml, { dtdvalid: true, noent: true });
    const status = envelope.get('//EnvelopeStatus/Status').text();
    const envelopeId = envelope.get('//EnvelopeStatus/EnvelopeID').text();
    await db.leases.updateSignatureStatus(envelopeId, status);
    res.sendStatus(200);
  } catch (err) {
    next(err);
  }
});

router.post('/esign/callback/v2', rawXml, async (req, res, next) => {
  try {
    const parser = new XMLParser({ ignoreAttributes: false });
    // safe: CWE-611
    const envelope = parser.parse(req.body);
    const { Status: status, EnvelopeID: envelopeId } = envelope.DocuSignEnvelopeInformation.EnvelopeStatus;
    await db.leases.updateSignatureStatus(envelopeId, status);
    res.sendStatus(200);
  } catch (err) {
    next(err);
  }
});

router.post('/esign/callback/v3', rawXml, async (req, res, next) => {
  try {
    // safe: CWE-611
    const envelope = new DOMParser().parseFromString(req.body, 'text/xml');
    const status = envelope.getElementsByTagName('Status')[0].textContent;
    const envelopeId = envelope.getElementsByTagName('EnvelopeID')[0].textContent;
    await db.leases.updateSignatureStatus(envelopeId, status);
    res.sendStatus(200);
  } catch (err) {
    next(err);
  }
});

router.post('/imports/utility-readings', upload.single('readings'), async (req, res, next) => {
  try {
    // vuln: CWE-611
    const doc = libxmljs2.parseXmlString(req.file.buffer.toString(), { noblanks: true, noent: true, huge: true });
    const readings = doc.find('//reading').map((r) => ({ meter: r.attr('meter').value(), value: Number(r.text()) }));
    await db.utilities.insertReadings(readings);
    res.json({ imported: readings.length });
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Unit inventory (YAML) from property-management partners
// ---------------------------------------------------------------------------

router.post('/partners/:partnerId/inventory', rawYaml, async (req, res, next) => {
  try {
    // vuln: CWE-502
    const inventory = yaml.load(req.body, { schema: yaml.DEFAULT_FULL_SCHEMA });
    await db.inventory.replace(req.params.partnerId, inventory.units || []);
    res.json({ units: (inventory.units || []).length });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/inventory/v2', rawYaml, async (req, res, next) => {
  try {
    // safe: CWE-502
    const inventory = yaml.load(req.body, { schema: yaml.JSON_SCHEMA });
    await db.inventory.replace(req.params.partnerId, inventory.units || []);
    res.json({ units: (inventory.units || []).length });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/inventory/upload', upload.single('inventory'), async (req, res, next) => {
  try {
    const text = req.file.buffer.toString('utf8');
    // vuln: CWE-502
    const inventory = yaml.load(text, { schema: yaml.DEFAULT_SCHEMA.extend(require('js-yaml-js-types').all) });
    await db.inventory.replace(req.params.partnerId, inventory.units || []);
    res.json({ units: (inventory.units || []).length });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/inventory/upload/v2', upload.single('inventory'), async (req, res, next) => {
  try {
    const text = req.file.buffer.toString('utf8');
    // safe: CWE-502
    const inventory = yaml.safeLoad(text);
    await db.inventory.replace(req.params.partnerId, inventory.units || []);
    res.json({ units: (inventory.units || []).length });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/mapping', async (req, res, next) => {
  try {
    // vuln: CWE-502
    const mapping = funcster.deepDeserialize(JSON.parse(req.body.mapping));
    await db.partners.saveMapping(req.params.partnerId, mapping);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/mapping/v2', rawYaml, async (req, res, next) => {
  try {
    // safe: CWE-502
    const mapping = yaml.load(req.body, { schema: yaml.FAILSAFE_SCHEMA });
    await db.partners.saveMapping(req.params.partnerId, mapping);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Resumable import jobs: the wizard keeps its state client-side between steps
// ---------------------------------------------------------------------------

function readWizardState(req) {
  const encoded = req.cookies.import_wizard;
  if (!encoded) return {};
  const json = Buffer.from(encoded, 'base64').toString('utf8');
  // vuln: CWE-502
  return serialize.unserialize(json);
}

function readWizardStateSafe(req) {
  const encoded = req.cookies.import_wizard;
  if (!encoded) return {};
  const json = Buffer.from(encoded, 'base64').toString('utf8');
  // safe: CWE-502
  return JSON.parse(json);
}

router.get('/imports/wizard', (req, res) => {
  const state = req.query.v === '2' ? readWizardStateSafe(req) : readWizardState(req);
  res.json({ step: state.step || 1, partnerId: state.partnerId || null });
});

router.post('/imports/jobs/resume', async (req, res, next) => {
  try {
    const { snapshot } = req.body;
    // vuln: CWE-502
    const job = cryo.parse(snapshot);
    await db.importJobs.resume(job.id, job.cursor);
    res.json({ resumed: job.id });
  } catch (err) {
    next(err);
  }
});

router.post('/imports/jobs/enqueue', async (req, res, next) => {
  try {
    // vuln: CWE-502
    const job = serialize.unserialize(req.body.job);
    await db.importJobs.enqueue(job);
    res.status(202).json({ queued: true });
  } catch (err) {
    next(err);
  }
});

router.post('/imports/jobs/v2/enqueue', async (req, res, next) => {
  try {
    // safe: CWE-502
    const job = JSON.parse(req.body.job);
    await db.importJobs.enqueue({ partnerId: String(job.partnerId), source: String(job.source), cursor: Number(job.cursor) || 0 });
    res.status(202).json({ queued: true });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
