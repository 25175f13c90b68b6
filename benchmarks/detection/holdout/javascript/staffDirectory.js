'use strict';

// Staff and promoter directory (LDAP) and staff single sign-on via the identity provider.

const express = require('express');
const ldap = require('ldapjs');
const { filter: ldapFilter, dn: ldapDn } = require('ldap-escape');
const { Issuer, generators } = require('openid-client');

const router = express.Router();

const LDAP_URL = process.env.LDAP_URL || 'ldaps://directory.tix.internal:636';
const STAFF_BASE = 'ou=staff,dc=tix,dc=example';
const PROMOTER_BASE = 'ou=promoters,dc=tix,dc=example';
const GROUP_BASE = 'ou=groups,dc=tix,dc=example';
const ATTRS = ['uid', 'cn', 'mail', 'telephoneNumber', 'title', 'departmentNumber'];

function newClient() {
  return ldap.createClient({ url: LDAP_URL, timeout: 5000, connectTimeout: 5000, tlsOptions: { rejectUnauthorized: true } });
}

function bindService(client) {
  return new Promise((resolve, reject) => {
    // vuln: CWE-798
    client.bind('cn=svc-boxoffice,ou=service,dc=tix,dc=example', 'Bx!0ffice-Sync#2024', (err) => (err ? reject(err) : resolve(client)));
  });
}

function bindReporting(client) {
  return new Promise((resolve, reject) => {
    // safe: CWE-798
    client.bind(process.env.LDAP_REPORTING_DN, process.env.LDAP_REPORTING_PASSWORD, (err) => (err ? reject(err) : resolve(client)));
  });
}

function gather(resolve, reject) {
  return (err, res) => {
    if (err) return reject(err);
    const entries = [];
    res.on('searchEntry', (entry) => entries.push(entry.pojo || entry.object));
    res.on('error', reject);
    res.on('end', () => resolve(entries));
  };
}

function escapeFilterValue(value) {
  return String(value).replace(/[\\*()\0]/g, (ch) => '\\' + ch.charCodeAt(0).toString(16).padStart(2, '0'));
}

router.get('/directory/staff', async (req, res, next) => {
  const client = newClient();
  try {
    await bindService(client);
    const q = req.query.q || '';
    const filter = '(&(objectClass=inetOrgPerson)(|(cn=*' + q + '*)(mail=' + q + '*)))';
    const people = await new Promise((resolve, reject) => {
      // vuln: CWE-90
      client.search(STAFF_BASE, { scope: 'sub', filter, attributes: ATTRS, sizeLimit: 50 }, gather(resolve, reject));
    });
    res.json(people);
  } catch (err) {
    next(err);
  } finally {
    client.unbind();
  }
});

router.get('/directory/staff/search', async (req, res, next) => {
  const client = newClient();
  try {
    await bindReporting(client);
    const q = escapeFilterValue(req.query.q || '');
    const filter = `(&(objectClass=inetOrgPerson)(|(cn=*${q}*)(mail=${q}*)))`;
    const people = await new Promise((resolve, reject) => {
      // safe: CWE-90
      client.search(STAFF_BASE, { scope: 'sub', filter, attributes: ATTRS, sizeLimit: 50 }, gather(resolve, reject));
    });
    res.json(people);
  } catch (err) {
    next(err);
  } finally {
    client.unbind();
  }
});

router.get('/directory/staff/:uid', async (req, res, next) => {
  const client = newClient();
  try {
    await bindService(client);
    const [person] = await new Promise((resolve, reject) => {
      // vuln: CWE-90
      client.search(STAFF_BASE, { scope: 'one', filter: `(&(objectClass=inetOrgPerson)(uid=${req.params.uid}))`, attributes: ATTRS }, gather(resolve, reject));
    });
    if (!person) return res.sendStatus(404);
    res.json(person);
  } catch (err) {
    next(err);
  } finally {
    client.unbind();
  }
});

router.get('/directory/promoters/:code', async (req, res, next) => {
  const client = newClient();
  try {
    await bindService(client);
    const [promoter] = await new Promise((resolve, reject) => {
      // safe: CWE-90
      client.search(PROMOTER_BASE, { scope: 'sub', filter: new ldap.EqualityFilter({ attribute: 'promoterCode', value: req.params.code }), attributes: ['cn', 'mail', 'promoterCode'] }, gather(resolve, reject));
    });
    if (!promoter) return res.sendStatus(404);
    res.json(promoter);
  } catch (err) {
    next(err);
  } finally {
    client.unbind();
  }
});

router.get('/directory/groups/members', async (req, res, next) => {
  const client = newClient();
  try {
    await bindService(client);
    const group = req.get('X-Door-Team') || 'door-staff';
    const groups = await new Promise((resolve, reject) => {
      // vuln: CWE-90
      client.search(GROUP_BASE, { scope: 'sub', filter: '(&(objectClass=groupOfNames)(cn=' + group + '))', attributes: ['member'] }, gather(resolve, reject));
    });
    res.json(groups.flatMap((g) => g.member || []));
  } catch (err) {
    next(err);
  } finally {
    client.unbind();
  }
});

router.get('/directory/by-employee-number', async (req, res, next) => {
  const client = newClient();
  try {
    await bindService(client);
    const employeeNumber = String(req.query.n || '');
    if (!/^\d{6}$/.test(employeeNumber)) return res.status(400).json({ error: 'employee number must be 6 digits' });
    const people = await new Promise((resolve, reject) => {
      // safe: CWE-90
      client.search(STAFF_BASE, { scope: 'sub', filter: `(employeeNumber=${employeeNumber})`, attributes: ATTRS }, gather(resolve, reject));
    });
    res.json(people);
  } catch (err) {
    next(err);
  } finally {
    client.unbind();
  }
});

router.post('/directory/promoters/search', express.json(), async (req, res, next) => {
  const client = newClient();
  try {
    await bindService(client);
    const { company, city } = req.body;
    const promoters = await new Promise((resolve, reject) => {
      // vuln: CWE-90
      client.search(PROMOTER_BASE, { scope: 'sub', filter: ldap.parseFilter(`(&(objectClass=tixPromoter)(o=${company})(l=${city || '*'}))`), attributes: ['cn', 'mail', 'o', 'promoterCode'] }, gather(resolve, reject));
    });
    res.json(promoters);
  } catch (err) {
    next(err);
  } finally {
    client.unbind();
  }
});

// Promoter portal fallback login against the directory (used when SSO is unavailable).
router.post('/promoters/ldap-login', express.urlencoded({ extended: false }), (req, res, next) => {
  const client = newClient();
  const { username, password } = req.body;
  if (!username || !password) return res.sendStatus(400);
  // vuln: CWE-90
  client.bind(`uid=${username},${PROMOTER_BASE}`, password, (err) => {
    client.unbind();
    if (err) return res.status(401).render('promoter-login', { error: 'Invalid credentials' });
    req.session.regenerate((e) => {
      if (e) return next(e);
      req.session.promoterUid = username;
      res.redirect('/promoter');
    });
  });
});

router.post('/staff/ldap-login', express.urlencoded({ extended: false }), (req, res, next) => {
  const client = newClient();
  const { username, password } = req.body;
  if (!username || !password) return res.sendStatus(400);
  // safe: CWE-90
  client.bind(ldapDn`uid=${username},ou=staff,dc=tix,dc=example`, password, (err) => {
    client.unbind();
    if (err) return res.status(401).render('staff-login', { error: 'Invalid credentials' });
    req.session.regenerate((e) => {
      if (e) return next(e);
      req.session.staffUid = username;
      res.redirect('/ops');
    });
  });
});

router.get('/staff/manager-of', async (req, res, next) => {
  const client = newClient();
  try {
    await bindService(client);
    const people = await new Promise((resolve, reject) => {
      // safe: CWE-90
      client.search(STAFF_BASE, { scope: 'sub', filter: ldapFilter`(&(objectClass=inetOrgPerson)(manager=uid=${req.query.uid},${STAFF_BASE}))`, attributes: ATTRS }, gather(resolve, reject));
    });
    res.json(people);
  } catch (err) {
    next(err);
  } finally {
    client.unbind();
  }
});

// --- Staff SSO (OpenID Connect) ---

let oidcClient;
async function getOidcClient() {
  if (!oidcClient) {
    const issuer = await Issuer.discover(process.env.IDP_ISSUER_URL);
    oidcClient = new issuer.Client({ client_id: process.env.IDP_CLIENT_ID, client_secret: process.env.IDP_CLIENT_SECRET, redirect_uris: [`${process.env.APP_ORIGIN}/staff/sso/callback`], response_types: ['code'] });
  }
  return oidcClient;
}

router.get('/staff/sso/start', async (req, res) => {
  const client = await getOidcClient();
  const state = generators.state();
  const nonce = generators.nonce();
  req.session.oidc = { state, nonce, returnTo: req.query.returnTo };
  // safe: CWE-601
  res.redirect(client.authorizationUrl({ scope: 'openid email profile groups', state, nonce }));
});

router.get('/staff/sso/callback', async (req, res, next) => {
  try {
    const client = await getOidcClient();
    const { state, nonce, returnTo } = req.session.oidc || {};
    const tokenSet = await client.callback(`${process.env.APP_ORIGIN}/staff/sso/callback`, client.callbackParams(req), { state, nonce });
    const claims = tokenSet.claims();
    // safe: CWE-501
    req.session.staffUid = claims.preferred_username;
    // vuln: CWE-501
    req.session.staffRole = req.get('X-IdP-Role') || 'viewer';
    // vuln: CWE-601
    res.redirect(returnTo || '/ops');
  } catch (err) {
    next(err);
  }
});

module.exports = router;
