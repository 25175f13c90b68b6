'use strict';
// Bulk importers: XML price lists, YAML job definitions and saved carts (Express).

const express = require('express');
const libxmljs = require('libxmljs');
const { XMLParser } = require('fast-xml-parser');
const yaml = require('js-yaml');
const serialize = require('node-serialize');

const router = express.Router();
router.use(express.text({ type: ['application/xml', 'text/yaml', 'text/plain'] }));

router.post('/import/prices', (req, res) => {
  // vuln: CWE-611
  const doc = libxmljs.parseXml(req.body, { noent: true });
  res.json({ items: doc.find('//item').length });
});

function parseCatalog(xml) {
  // vuln: CWE-611
  return libxmljs.parseXmlString(xml, { noent: true, dtdload: true, nonet: false });
}

router.post('/import/catalog', (req, res) => {
  res.json({ products: parseCatalog(req.body).root().childNodes().length });
});

router.post('/import/stock', (req, res) => {
  const options = { noent: true, huge: true };
  // vuln: CWE-611
  const doc = libxmljs.parseXml(req.body.toString(), options);
  res.json({ skus: doc.find('//sku').length });
});

router.post('/import/prices/safe', (req, res) => {
  // safe: CWE-611
  const doc = libxmljs.parseXml(req.body, { noent: false, nonet: true, dtdload: false });
  res.json({ items: doc.find('//item').length });
});

router.post('/import/catalog/safe', (req, res) => {
  const parser = new XMLParser({ ignoreAttributes: false, processEntities: false });
  // safe: CWE-611
  const catalog = parser.parse(req.body);
  res.json({ products: (catalog.catalog.product || []).length });
});

router.post('/import/stock/safe', (req, res) => {
  // safe: CWE-611
  const doc = libxmljs.parseXml(req.body.toString());
  res.json({ skus: doc.find('//sku').length });
});

router.get('/cart/restore', (req, res) => {
  const saved = Buffer.from(req.cookies.savedCart || '', 'base64').toString();
  // vuln: CWE-502
  const cart = serialize.unserialize(saved);
  res.json({ items: cart.items || [] });
});

router.post('/jobs', (req, res) => {
  // vuln: CWE-502
  const job = yaml.load(req.body, { schema: yaml.DEFAULT_FULL_SCHEMA });
  res.json({ name: job.name });
});

function restoreState(encoded) {
  // vuln: CWE-502
  return serialize.unserialize(JSON.parse(encoded).state);
}

router.put('/reports/state', express.json(), (req, res) => {
  res.json({ title: restoreState(req.body.encoded).title });
});

router.get('/cart/restore/safe', (req, res) => {
  const saved = Buffer.from(req.cookies.savedCart || '', 'base64').toString();
  // safe: CWE-502
  const cart = JSON.parse(saved);
  res.json({ items: Array.isArray(cart.items) ? cart.items : [] });
});

router.post('/jobs/safe', (req, res) => {
  // safe: CWE-502
  const job = yaml.load(req.body, { schema: yaml.JSON_SCHEMA });
  res.json({ name: job.name });
});

router.post('/jobs/safe-v3', (req, res) => {
  // safe: CWE-502
  const job = yaml.safeLoad(req.body);
  res.json({ name: job.name });
});

module.exports = router;
