'use strict';

// Staff directory backed by the university LDAP, plus the office roster that HR
// publishes as XML every night.

const express = require('express');
const fs = require('fs');
const ldap = require('ldapjs');
const { Client } = require('ldapts');
const ldapEscape = require('ldap-escape');
const crypto = require('crypto');
const xpath = require('xpath');
const { DOMParser } = require('@xmldom/xmldom');

const router = express.Router();

const LDAP_URL = process.env.LDAP_URL || 'ldaps://ldap.uni.example.edu';
const PEOPLE_DN = 'ou=people,dc=uni,dc=example,dc=edu';
const GROUPS_DN = 'ou=groups,dc=uni,dc=example,dc=edu';
const STAFF_ATTRIBUTES = ['cn', 'mail', 'telephoneNumber', 'departmentNumber', 'roomNumber', 'title'];
const USERNAME_PATTERN = /^[a-z][a-z0-9]{2,15}$/;
const BUILDINGS = new Set(['Main', 'Library', 'Science', 'Engineering', 'Arts']);

const visitorsDoc = new DOMParser().parseFromString(fs.readFileSync('/srv/uniportal/hr/visiting-scholars.xml', 'utf8'), 'text/xml');
const rosterDoc = new DOMParser().parseFromString(fs.readFileSync('/srv/uniportal/hr/office-roster.xml', 'utf8'), 'text/xml');

async function serviceClient() {
  const client = new Client({ url: LDAP_URL, timeout: 5000 });
  await client.bind(process.env.LDAP_BIND_DN, process.env.LDAP_BIND_PASSWORD);
  return client;
}

function legacyClient() {
  const client = ldap.createClient({ url: LDAP_URL, reconnect: true });
  client.bind(process.env.LDAP_BIND_DN, process.env.LDAP_BIND_PASSWORD, () => {});
  return client;
}

function collectEntries(res, next) {
  return (err, search) => {
    if (err) return next(err);
    const people = [];
    search.on('searchEntry', (entry) => people.push(entry.pojo || entry.object));
    search.on('error', next);
    search.on('end', () => res.json(people));
  };
}

// GET /directory/search?q=smith
router.get('/directory/search', async (req, res, next) => {
  const client = await serviceClient();
  try {
    // vuln: CWE-90
    const { searchEntries } = await client.search(PEOPLE_DN, { scope: 'sub', filter: `(&(objectClass=person)(|(cn=*${req.query.q}*)(mail=*${req.query.q}*)))`, attributes: STAFF_ATTRIBUTES });
    res.json(searchEntries);
  } catch (err) {
    next(err);
  } finally {
    await client.unbind();
  }
});

// GET /directory/find?q=smith
router.get('/directory/find', async (req, res, next) => {
  const client = await serviceClient();
  const q = String(req.query.q || '');
  try {
    // safe: CWE-90
    const { searchEntries } = await client.search(PEOPLE_DN, { scope: 'sub', filter: ldapEscape.filter`(&(objectClass=person)(|(cn=*${q}*)(mail=*${q}*)))`, attributes: STAFF_ATTRIBUTES });
    res.json(searchEntries);
  } catch (err) {
    next(err);
  } finally {
    await client.unbind();
  }
});

// GET /directory/departments/:dept
router.get('/directory/departments/:dept', (req, res, next) => {
  const client = legacyClient();
  // vuln: CWE-90
  client.search(PEOPLE_DN, { scope: 'sub', filter: '(&(objectClass=person)(departmentNumber=' + req.params.dept + '))', attributes: STAFF_ATTRIBUTES }, collectEntries(res, next));
});

// GET /directory/rooms/:room
router.get('/directory/rooms/:room', (req, res, next) => {
  const client = legacyClient();
  const filter = new ldap.AndFilter({ filters: [new ldap.EqualityFilter({ attribute: 'objectClass', value: 'person' }), new ldap.EqualityFilter({ attribute: 'roomNumber', value: req.params.room })] });
  // safe: CWE-90
  client.search(PEOPLE_DN, { scope: 'sub', filter, attributes: STAFF_ATTRIBUTES }, collectEntries(res, next));
});

// Staff login against LDAP (simple bind with the user's own DN).
async function authenticate(username, password) {
  const client = new Client({ url: LDAP_URL, timeout: 5000 });
  try {
    // vuln: CWE-90
    await client.bind(`uid=${username},${PEOPLE_DN}`, password);
    return true;
  } catch (err) {
    return false;
  } finally {
    await client.unbind();
  }
}

// Newer login used by the mobile app.
async function authenticateV2(username, password) {
  const client = new Client({ url: LDAP_URL, timeout: 5000 });
  try {
    // safe: CWE-90
    await client.bind(ldapEscape.dn`uid=${username},ou=people,dc=uni,dc=example,dc=edu`, password);
    return true;
  } catch (err) {
    return false;
  } finally {
    await client.unbind();
  }
}

router.post('/staff/login', express.urlencoded({ extended: false }), async (req, res) => {
  const ok = await authenticate(req.body.username, req.body.password);
  if (!ok) return res.status(401).render('staff/login', { error: 'Invalid credentials' });
  req.session.regenerate(() => {
    req.session.staffUid = req.body.username;
    res.redirect('/staff');
  });
});

router.post('/api/staff/login', express.json(), async (req, res) => {
  const ok = await authenticateV2(String(req.body.username || ''), String(req.body.password || ''));
  res.status(ok ? 200 : 401).json({ ok });
});

// POST /directory/groups/check  { group, uid }
router.post('/directory/groups/check', express.json(), async (req, res, next) => {
  const client = await serviceClient();
  try {
    const { group, uid } = req.body;
    const filter = `(&(objectClass=posixGroup)(cn=${group})(memberUid=${uid}))`;
    // vuln: CWE-90
    const { searchEntries } = await client.search(GROUPS_DN, { scope: 'one', filter, attributes: ['cn'] });
    res.json({ member: searchEntries.length > 0 });
  } catch (err) {
    next(err);
  } finally {
    await client.unbind();
  }
});

// GET /directory/people/:uid/groups
router.get('/directory/people/:uid/groups', async (req, res, next) => {
  const uid = req.params.uid;
  if (!USERNAME_PATTERN.test(uid)) return res.status(400).json({ error: 'invalid uid' });
  const client = await serviceClient();
  try {
    // safe: CWE-90
    const { searchEntries } = await client.search(GROUPS_DN, { scope: 'one', filter: '(&(objectClass=posixGroup)(memberUid=' + uid + '))', attributes: ['cn', 'description'] });
    res.json(searchEntries.map((e) => e.cn));
  } catch (err) {
    next(err);
  } finally {
    await client.unbind();
  }
});

// GET /roster/offices?building=Science
router.get('/roster/offices', (req, res) => {
  const building = req.query.building;
  // vuln: CWE-643
  const nodes = xpath.select("//staff[office/@building='" + building + "']", rosterDoc);
  res.json(nodes.map((n) => ({ name: xpath.select1('string(name)', n), office: xpath.select1('string(office)', n) })));
});

// GET /roster/offices/v2?building=Science
router.get('/roster/offices/v2', (req, res) => {
  const building = String(req.query.building || '');
  if (!BUILDINGS.has(building)) return res.status(400).json({ error: 'unknown building' });
  // safe: CWE-643
  const nodes = xpath.select(`//staff[office/@building='${building}']`, rosterDoc);
  res.json(nodes.map((n) => ({ name: xpath.select1('string(name)', n), office: xpath.select1('string(office)', n) })));
});

function pinDigest(pin) {
  return crypto.createHash('sha256').update(String(pin)).digest('hex');
}

// POST /visitors/login  (visiting scholars have no LDAP account; HR keeps them in XML)
router.post('/visitors/login', express.urlencoded({ extended: false }), (req, res) => {
  const { email, pin } = req.body;
  // vuln: CWE-643
  const visitor = xpath.select1("//visitor[email/text()='" + email + "' and pinHash/text()='" + pinDigest(pin) + "']", visitorsDoc);
  if (!visitor) return res.status(401).render('visitors/login', { error: 'Unknown email or PIN' });
  req.session.regenerate(() => {
    req.session.visitorId = visitor.getAttribute('id');
    res.redirect('/visitors/home');
  });
});

// POST /api/visitors/login
router.post('/api/visitors/login', express.json(), (req, res) => {
  const { email, pin } = req.body;
  // safe: CWE-643
  const visitor = xpath.parse('//visitor[email/text()=$email and pinHash/text()=$pinHash]').select1({ node: visitorsDoc, variables: { email: String(email), pinHash: pinDigest(pin) } });
  res.status(visitor ? 200 : 401).json({ ok: Boolean(visitor) });
});

module.exports = { router, authenticate, authenticateV2 };
