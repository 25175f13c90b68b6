'use strict';

// Staff and owner directory (LDAP) and the building/keyholder registry, which
// property managers sync from the facilities system as XML.

const express = require('express');
const ldap = require('ldapjs');
const xpath = require('xpath');
const { DOMParser } = require('@xmldom/xmldom');
const libxmljs = require('libxmljs2');
const fs = require('fs');

const router = express.Router();

const LDAP_URL = process.env.DIRECTORY_LDAP_URL || 'ldaps://ldap.internal.rentals.example:636';
const STAFF_BASE = 'ou=staff,dc=rentals,dc=example';
const OWNER_BASE = 'ou=owners,dc=rentals,dc=example';
const GROUP_BASE = 'ou=groups,dc=rentals,dc=example';

const REGISTRY_PATH = process.env.BUILDING_REGISTRY_XML || '/srv/rentals/data/buildings.xml';
const CONTRACTORS_PATH = process.env.CONTRACTORS_XML || '/srv/rentals/data/contractors.xml';

const TRADES = new Set(['plumbing', 'electrical', 'hvac', 'locksmith', 'roofing', 'pest-control']);

function ldapClient() {
  const client = ldap.createClient({ url: LDAP_URL, tlsOptions: { rejectUnauthorized: true } });
  client.bind(process.env.DIRECTORY_BIND_DN, process.env.DIRECTORY_BIND_PASSWORD, () => {});
  return client;
}

function gather(resolve, reject) {
  return (err, res) => {
    if (err) return reject(err);
    const entries = [];
    res.on('searchEntry', (e) => entries.push(e.pojo || e.object));
    res.on('error', reject);
    res.on('end', () => resolve(entries));
  };
}

// RFC 4515 escaping for values placed inside a search filter
function escapeFilterValue(value) {
  return String(value).replace(/[\\*()\0]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

function ownerNameFilter(name) {
  return '(&(objectClass=propertyOwner)(cn=*' + name + '*))';
}

// ---------------------------------------------------------------------------
// Staff directory
// ---------------------------------------------------------------------------

router.post('/staff/login', (req, res) => {
  const { username, password } = req.body;
  const client = ldap.createClient({ url: LDAP_URL });
  // vuln: CWE-90
  client.bind('uid=' + username + ',' + STAFF_BASE, password, (err) => {
    client.unbind();
    if (err) return res.status(401).json({ error: 'invalid credentials' });
    req.session.regenerate(() => res.json({ ok: true }));
  });
});

router.post('/staff/login/v2', (req, res) => {
  const { username, password } = req.body;
  if (!/^[a-z0-9._-]{2,32}$/.test(String(username))) return res.status(401).json({ error: 'invalid credentials' });
  const client = ldap.createClient({ url: LDAP_URL });
  // safe: CWE-90
  client.bind(`uid=${username},${STAFF_BASE}`, password, (err) => {
    client.unbind();
    if (err) return res.status(401).json({ error: 'invalid credentials' });
    req.session.regenerate(() => res.json({ ok: true }));
  });
});

router.get('/staff/search', (req, res, next) => {
  const client = ldapClient();
  const username = req.query.uid;
  // vuln: CWE-90
  client.search(STAFF_BASE, { scope: 'sub', filter: `(uid=${username})`, attributes: ['cn', 'mail', 'title'] }, (err, search) => {
    if (err) return next(err);
    const found = [];
    search.on('searchEntry', (e) => found.push(e.pojo || e.object));
    search.on('end', () => res.json(found));
  });
});

router.get('/staff/contact', async (req, res, next) => {
  try {
    const { email, phone } = req.query;
    const filter = '(|(mail=' + email + ')(telephoneNumber=' + phone + '))';
    const client = ldapClient();
    const entries = await new Promise((resolve, reject) => {
      // vuln: CWE-90
      client.search(STAFF_BASE, { scope: 'sub', filter, attributes: ['cn', 'mail', 'telephoneNumber'] }, gather(resolve, reject));
    });
    res.json(entries);
  } catch (err) {
    next(err);
  }
});

router.get('/staff/contact/v2', async (req, res, next) => {
  try {
    const { email, phone } = req.query;
    const filter = `(|(mail=${escapeFilterValue(email)})(telephoneNumber=${escapeFilterValue(phone)}))`;
    const client = ldapClient();
    const entries = await new Promise((resolve, reject) => {
      // safe: CWE-90
      client.search(STAFF_BASE, { scope: 'sub', filter, attributes: ['cn', 'mail', 'telephoneNumber'] }, gather(resolve, reject));
    });
    res.json(entries);
  } catch (err) {
    next(err);
  }
});

router.get('/staff/by-number/:employeeNumber', async (req, res, next) => {
  try {
    const employeeNumber = parseInt(req.params.employeeNumber, 10);
    if (!Number.isSafeInteger(employeeNumber)) return res.sendStatus(400);
    const client = ldapClient();
    const entries = await new Promise((resolve, reject) => {
      // safe: CWE-90
      client.search(STAFF_BASE, { scope: 'sub', filter: `(employeeNumber=${employeeNumber})`, attributes: ['cn', 'mail'] }, gather(resolve, reject));
    });
    res.json(entries[0] || null);
  } catch (err) {
    next(err);
  }
});

router.get('/me/groups', async (req, res, next) => {
  try {
    // Set by the SSO reverse proxy in front of the portal
    const user = req.get('X-Forwarded-User');
    const client = ldapClient();
    const groups = await new Promise((resolve, reject) => {
      // vuln: CWE-90
      client.search(GROUP_BASE, { scope: 'one', filter: `(&(objectClass=groupOfNames)(member=uid=${user},${STAFF_BASE}))`, attributes: ['cn'] }, gather(resolve, reject));
    });
    res.json(groups.map((g) => g.cn));
  } catch (err) {
    next(err);
  }
});

router.get('/me/groups/v2', async (req, res, next) => {
  try {
    const user = req.get('X-Forwarded-User');
    const memberFilter = new ldap.AndFilter({
      filters: [
        new ldap.EqualityFilter({ attribute: 'objectClass', value: 'groupOfNames' }),
        new ldap.EqualityFilter({ attribute: 'member', value: `uid=${user},${STAFF_BASE}` }),
      ],
    });
    const client = ldapClient();
    const groups = await new Promise((resolve, reject) => {
      // safe: CWE-90
      client.search(GROUP_BASE, { scope: 'one', filter: memberFilter, attributes: ['cn'] }, gather(resolve, reject));
    });
    res.json(groups.map((g) => g.cn));
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Owner directory
// ---------------------------------------------------------------------------

class OwnerDirectory {
  constructor(client) {
    this.client = client;
  }

  byName(name) {
    return new Promise((resolve, reject) => {
      // vuln: CWE-90
      this.client.search(OWNER_BASE, { scope: 'sub', filter: ownerNameFilter(name), attributes: ['cn', 'mail', 'ownerId'] }, gather(resolve, reject));
    });
  }

  byNameSafe(name) {
    return new Promise((resolve, reject) => {
      // safe: CWE-90
      this.client.search(OWNER_BASE, { scope: 'sub', filter: ownerNameFilter(escapeFilterValue(name)), attributes: ['cn', 'mail', 'ownerId'] }, gather(resolve, reject));
    });
  }

  byOwnerId(ownerId) {
    return new Promise((resolve, reject) => {
      // vuln: CWE-90
      this.client.search(OWNER_BASE, { scope: 'sub', filter: '(ownerId=' + ownerId + ')', attributes: ['cn', 'mail'] }, gather(resolve, reject));
    });
  }

  all() {
    return new Promise((resolve, reject) => {
      // safe: CWE-90
      this.client.search(OWNER_BASE, { scope: 'sub', filter: '(objectClass=propertyOwner)', attributes: ['cn', 'mail', 'ownerId'] }, gather(resolve, reject));
    });
  }
}

router.get('/owners', async (req, res, next) => {
  try {
    const owners = new OwnerDirectory(ldapClient());
    const { name } = req.query;
    if (!name) return res.json(await owners.all());
    res.json(req.query.exact ? await owners.byNameSafe(name) : await owners.byName(name));
  } catch (err) {
    next(err);
  }
});

router.get('/owners/:ownerId', async (req, res, next) => {
  try {
    const owners = new OwnerDirectory(ldapClient());
    res.json(await owners.byOwnerId(req.params.ownerId));
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Building / keyholder registry (XML)
// ---------------------------------------------------------------------------

function loadRegistry() {
  const xml = fs.readFileSync(REGISTRY_PATH, 'utf8');
  return new DOMParser().parseFromString(xml, 'text/xml');
}

router.get('/registry/owners/properties', (req, res) => {
  const doc = loadRegistry();
  const email = req.query.email;
  // vuln: CWE-643
  const nodes = xpath.select(`//owner[email='${email}']/properties/property/@ref`, doc);
  res.json(nodes.map((n) => n.value));
});

router.get('/registry/owners/properties/v2', (req, res) => {
  const doc = loadRegistry();
  // safe: CWE-643
  const nodes = xpath.parse('//owner[email=$email]/properties/property/@ref').select({ node: doc, variables: { email: String(req.query.email || '') } });
  res.json(nodes.map((n) => n.value));
});

router.get('/registry/buildings/:building/units/:unit', (req, res) => {
  const doc = loadRegistry();
  const { building, unit } = req.params;
  const expr = "//building[@code='" + building + "']/unit[@number='" + unit + "']";
  // vuln: CWE-643
  const node = xpath.select1(expr, doc);
  if (!node) return res.sendStatus(404);
  res.json({ floor: node.getAttribute('floor'), keySafe: node.getAttribute('keySafe') });
});

router.get('/registry/v2/buildings/:building/units/:unit', (req, res) => {
  const doc = loadRegistry();
  const { building, unit } = req.params;
  // safe: CWE-643
  const node = xpath.parse('//building[@code=$code]/unit[@number=$unit]').select1({ node: doc, variables: { code: building, unit } });
  if (!node) return res.sendStatus(404);
  res.json({ floor: node.getAttribute('floor'), keySafe: node.getAttribute('keySafe') });
});

router.get('/registry/units/:unitId', (req, res) => {
  const doc = loadRegistry();
  const unitId = Number(req.params.unitId);
  if (!Number.isInteger(unitId)) return res.sendStatus(400);
  // safe: CWE-643
  const node = xpath.select1(`//unit[@id=${unitId}]`, doc);
  if (!node) return res.sendStatus(404);
  res.json({ floor: node.getAttribute('floor') });
});

function keyholderPhoneExpr(name) {
  return '//keyholder[name="' + name + '"]/phone/text()';
}

router.get('/registry/keyholders/phone', (req, res) => {
  const registry = libxmljs.parseXml(fs.readFileSync(REGISTRY_PATH, 'utf8'));
  // vuln: CWE-643
  const phone = registry.get(keyholderPhoneExpr(req.query.name));
  res.json({ phone: phone ? phone.toString() : null });
});

router.get('/registry/keyholders/phone/v2', (req, res) => {
  const doc = loadRegistry();
  // safe: CWE-643
  const holders = xpath.select('//keyholder', doc);
  const match = holders.find((h) => xpath.select1('string(name)', h) === req.query.name);
  res.json({ phone: match ? xpath.select1('string(phone)', match) : null });
});

router.get('/contractors', (req, res) => {
  const contractors = libxmljs.parseXml(fs.readFileSync(CONTRACTORS_PATH, 'utf8'));
  const { trade, area } = req.query;
  // vuln: CWE-643
  const nodes = contractors.find(`//contractor[trade='${trade}' and coverage/postcode='${area}']`);
  res.json(nodes.map((n) => ({ name: n.get('name').text(), phone: n.get('phone').text() })));
});

router.get('/contractors/v2', (req, res) => {
  const contractors = libxmljs.parseXml(fs.readFileSync(CONTRACTORS_PATH, 'utf8'));
  const trade = TRADES.has(req.query.trade) ? req.query.trade : 'plumbing';
  // safe: CWE-643
  const nodes = contractors.find(`//contractor[trade='${trade}']`);
  res.json(nodes.map((n) => ({ name: n.get('name').text(), phone: n.get('phone').text() })));
});

router.post('/registry/query', express.json(), (req, res) => {
  const doc = loadRegistry();
  const field = req.body.field;
  // vuln: CWE-643
  const result = xpath.evaluate('count(//unit[' + field + '])', doc, null, xpath.XPathResult.NUMBER_TYPE, null);
  res.json({ count: result.numberValue });
});

module.exports = router;
