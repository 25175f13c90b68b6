// Labelled cases for checks/semgrep_rules/taint/javascript.yml, and the JavaScript part of
// the detection corpus: "ruleid:" marks a vulnerable line, "ok:" a safe look-alike.
const child_process = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const axios = require('axios');
const express = require('express');
const escapeHtml = require('escape-html');
const libxmljs = require('libxmljs');
const serialize = require('node-serialize');
const xpath = require('xpath');
const ldap = require('ldapjs');

const app = express();
const db = require('./db');
const ALLOWED_FILES = ['terms.pdf', 'privacy.pdf'];
const ALLOWED_REDIRECTS = ['/home', '/account'];
const ALLOWED_WEBHOOKS = new Set(['https://partner.example.com/hook']);
const ROLES = ['viewer', 'editor'];

// --- SQL injection (CWE-89) ---------------------------------------------------------------
app.get('/users', (req, res) => {
  const name = req.query.name;
  // ruleid: js-sql-injection
  db.query("SELECT * FROM users WHERE name = '" + name + "'", (err, rows) => res.json(rows));
  // ok: js-sql-injection
  db.query('SELECT * FROM users WHERE name = ?', [name], (err, rows) => res.json(rows));
  // ok: js-sql-injection
  db.query('SELECT * FROM users LIMIT ' + parseInt(req.query.limit, 10));
});

function findOrders(customer) {
  // ruleid: js-sql-injection
  return db.query(`SELECT * FROM orders WHERE customer = '${customer}'`);
}

function countOrders() {
  const table = 'orders';
  // ok: js-sql-injection
  return db.query('SELECT count(*) FROM ' + table);
}

// --- Command injection (CWE-78) -----------------------------------------------------------
app.get('/api/diagnostics', (req, res) => {
  // ruleid: js-command-injection
  child_process.exec('ping -c 1 ' + req.query.host, (error, stdout) => res.send(stdout));
  // ok: js-command-injection
  child_process.execFile('ping', ['-c', '1', req.query.host], (error, stdout) => res.send(stdout));
  // ok: js-command-injection
  child_process.exec('uptime', (error, stdout) => res.send(stdout));
});

function archive(name) {
  // ruleid: js-command-injection
  child_process.execSync(`tar czf /tmp/${name}.tgz /srv/data`);
}

// --- Code injection (CWE-95) --------------------------------------------------------------
app.get('/api/calc', (req, res) => {
  // ruleid: js-code-injection
  const result = eval(req.query.x);
  // ok: js-code-injection
  const fixed = eval('1 + 2');
  // ruleid: js-code-injection
  const sandboxed = vm.runInNewContext(req.body.script, {});
  // ok: js-code-injection
  setTimeout(() => res.json({ result, fixed, sandboxed }), 10);
});

// --- LDAP injection (CWE-90) --------------------------------------------------------------
app.get('/directory', (req, res) => {
  const client = ldap.createClient({ url: 'ldap://directory' });
  // ruleid: js-ldap-injection
  client.search('dc=example', { filter: '(uid=' + req.query.user + ')', scope: 'sub' }, () => {});
  // ok: js-ldap-injection
  client.search('dc=example', { filter: '(objectClass=person)', scope: 'sub' }, () => {});
  res.end();
});

// --- XPath injection (CWE-643) ------------------------------------------------------------
app.get('/catalog', (req, res) => {
  const doc = loadCatalog();
  // ruleid: js-xpath-injection
  const books = xpath.select("//book[title='" + req.query.title + "']", doc);
  // ok: js-xpath-injection
  const all = xpath.select('//book', doc);
  res.json(books.concat(all).length);
});

// --- Path traversal (CWE-22) --------------------------------------------------------------
app.get('/download', (req, res) => {
  // ruleid: js-path-traversal
  fs.readFile(path.join('/srv/files', req.query.file), (err, data) => res.send(data));
});

app.get('/download-safe', (req, res) => {
  const name = path.basename(req.query.file);
  // ok: js-path-traversal
  fs.readFile(path.join('/srv/files', name), (err, data) => res.send(data));
});

app.get('/docs/:name', (req, res) => {
  const name = req.params.name;
  if (ALLOWED_FILES.includes(name)) {
    // ok: js-path-traversal
    return res.sendFile(path.join('/srv/docs', name));
  }
  // ruleid: js-path-traversal
  return res.sendFile('/srv/docs/' + name);
});

// --- Open redirect (CWE-601) --------------------------------------------------------------
app.get('/login/done', (req, res) => {
  // ruleid: js-open-redirect
  res.redirect(req.query.next);
});

app.get('/login/done-safe', (req, res) => {
  const next = req.query.next;
  if (ALLOWED_REDIRECTS.includes(next)) {
    // ok: js-open-redirect
    return res.redirect(next);
  }
  // ok: js-open-redirect
  return res.redirect('/home');
});

// --- Cross-site scripting (CWE-79) --------------------------------------------------------
app.get('/hello', (req, res) => {
  // ruleid: js-xss
  res.send('<h1>Hello ' + req.query.name + '</h1>');
});

app.get('/hello-safe', (req, res) => {
  // ok: js-xss
  res.send('<h1>Hello ' + escapeHtml(req.query.name) + '</h1>');
});

function greet() {
  const params = new URLSearchParams(window.location.search);
  // ruleid: js-xss
  document.getElementById('greeting').innerHTML = 'Hello, ' + params.get('name') + '!';
  // ok: js-xss
  document.getElementById('greeting').textContent = 'Hello, ' + params.get('name') + '!';
}

// --- XML external entities (CWE-611) ------------------------------------------------------
app.post('/import', (req, res) => {
  // ruleid: js-xxe
  const doc = libxmljs.parseXml(req.body.xml, { noent: true });
  // ok: js-xxe
  const safe = libxmljs.parseXml(req.body.xml, { noent: false, nonet: true });
  res.json([doc, safe].length);
});

// --- Insecure deserialization (CWE-502) ---------------------------------------------------
app.post('/restore', (req, res) => {
  // ruleid: js-insecure-deserialization
  const state = serialize.unserialize(req.cookies.state);
  // ok: js-insecure-deserialization
  const prefs = JSON.parse(req.cookies.prefs);
  res.json({ state, prefs });
});

// --- Server-side request forgery (CWE-918) ------------------------------------------------
app.get('/preview', async (req, res) => {
  // ruleid: js-ssrf
  const page = await axios.get(req.query.url);
  // ok: js-ssrf
  const profile = await axios.get('https://api.example.com/users/' + req.query.user);
  res.json({ status: [page.status, profile.status] });
});

app.post('/hook', async (req, res) => {
  const target = req.body.callback;
  if (ALLOWED_WEBHOOKS.has(target)) {
    // ok: js-ssrf
    await fetch(target, { method: 'POST' });
  }
  // ruleid: js-ssrf
  await fetch(target);
  res.end();
});

// --- Trust boundary violation (CWE-501) ---------------------------------------------------
app.post('/prefs', (req, res) => {
  // ruleid: js-trust-boundary-violation
  req.session.role = req.body.role;
  const role = req.body.requestedRole;
  if (ROLES.includes(role)) {
    // ok: js-trust-boundary-violation
    req.session.requestedRole = role;
  }
  res.end();
});

// --- Weak cryptography (CWE-327) ----------------------------------------------------------
function digest(password) {
  // ruleid: js-weak-crypto
  const weak = crypto.createHash('md5').update(password).digest('hex');
  // ok: js-weak-crypto
  const strong = crypto.createHash('sha256').update(password).digest('hex');
  return weak + strong;
}

function encrypt(key, iv, data) {
  // ruleid: js-weak-crypto
  const legacy = crypto.createCipheriv('des-cbc', key, iv);
  // ok: js-weak-crypto
  const modern = crypto.createCipheriv('aes-256-gcm', key, iv);
  return [legacy, modern, data];
}

// --- Insecure cookie (CWE-614) ------------------------------------------------------------
app.post('/session', (req, res) => {
  // ruleid: js-insecure-cookie
  res.cookie('sid', crypto.randomUUID());
  // ok: js-insecure-cookie
  res.cookie('sid2', crypto.randomUUID(), { secure: true, httpOnly: true, sameSite: 'lax' });
  res.end();
});

// --- Hard-coded secret (CWE-798) ----------------------------------------------------------
// ruleid: js-hardcoded-secret
const STRIPE_API_KEY = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
// ok: js-hardcoded-secret
const GITHUB_TOKEN = process.env.GITHUB_TOKEN;
// ok: js-hardcoded-secret
const PASSWORD_FIELD = 'password';

module.exports = { app, findOrders, countOrders, archive, greet, digest, encrypt };

// --- Generalisation cases (issue 15) ------------------------------------------------------
const SORTABLE = new Set(['name', 'price']);
const AFTER_LOGIN = { orders: '/orders' };
const DEPARTMENTS = ['ops', 'it'];

router.get('/g/products/page', async (req, res) => {
  const order = SORTABLE.has(req.query.order) ? req.query.order : 'name';
  // ok: js-sql-injection
  await pg.query(`SELECT id FROM products ORDER BY ${order}`);
  // ruleid: js-sql-injection
  await knex.whereRaw(`name = '${req.query.name}'`);
});

function gitLog(branch) {
  // ruleid: js-command-injection
  return spawn('git log --oneline ' + branch, { shell: true });
}

router.get('/g/whois', (req, res) => {
  const cmd = `whois ${req.get('X-Lookup-Domain')}`;
  // ruleid: js-command-injection
  exec(cmd, (err, stdout) => res.send(stdout));
});

app.post('/g/preview', (req, res) => {
  // ruleid: js-code-injection
  const render = _.template(req.body.template);
  return render;
});

router.post('/g/people', (req, res) => {
  const opts = { scope: 'sub', filter: `(sn=${req.body.surname})` };
  // ruleid: js-ldap-injection
  client.search(BASE_DN, opts, collect(res));
  // ok: js-ldap-injection
  client.search(BASE_DN, { filter: ldapFilter`(uid=${req.query.uid})` }, collect(res));
  const filter = new ldap.EqualityFilter({ attribute: 'sn', value: req.body.surname });
  // ok: js-ldap-injection
  client.search(BASE_DN, { filter, scope: 'sub' }, collect(res));
});

router.get('/g/org/:dept', (req, res) => {
  // ruleid: js-xpath-injection
  xpath.select1('string(//employee[@name="' + req.get('X-Name') + '"])', orgChart);
  if (!DEPARTMENTS.includes(req.params.dept)) return res.status(404).end();
  // ok: js-xpath-injection
  xpath.select(`//department[@code='${req.params.dept}']`, orgChart);
});

router.delete('/g/files', (req, res) => {
  const target = path.resolve(UPLOAD_DIR, req.body.path);
  if (!target.startsWith(UPLOAD_DIR + path.sep)) return res.status(400).end();
  // ok: js-path-traversal
  fs.unlinkSync(target);
  // ruleid: js-path-traversal
  fs.unlinkSync(path.join(UPLOAD_DIR, req.body.path));
});

router.get('/g/consent', (req, res) => {
  // ruleid: js-open-redirect
  res.location(req.cookies.postConsentUrl).status(302).end();
  const next = String(req.query.next || '/');
  const isLocal = next.startsWith('/') && !next.startsWith('//');
  // ok: js-open-redirect
  res.redirect(isLocal ? next : '/');
  // ok: js-open-redirect
  res.redirect(AFTER_LOGIN[String(req.query.page)] ?? '/dashboard');
});

router.use((req, res) => {
  // ruleid: js-xss
  res.status(404).send(`<p>Nothing lives at ${decodeURIComponent(req.originalUrl)}</p>`);
});

router.get('/g/count', (req, res) => {
  // ok: js-xss
  res.send(`<p>${Number(req.query.n)} products</p>`);
});

router.post('/g/import', (req, res) => {
  const options = { noent: true };
  // ruleid: js-xxe
  const doc = libxmljs.parseXml(req.body.toString(), options);
  const safeOptions = { noent: false };
  // ok: js-xxe
  const safe = libxmljs.parseXml(req.body.toString(), safeOptions);
  res.json({ doc, safe });
});

function restoreState(encoded) {
  // ruleid: js-insecure-deserialization
  return serialize.unserialize(JSON.parse(encoded).state);
}

function fetchStatus(host, cb) {
  // ruleid: js-ssrf
  http.get(`http://${host}/healthz`, (resp) => cb(resp.statusCode));
}

app.get('/g/rates/:currency', async (req, res) => {
  // ok: js-ssrf
  await axios.get(`${RATES_API}/v1/rates/${encodeURIComponent(req.params.currency)}`);
  const target = new URL(req.body.url);
  if (!ALLOWED_HOSTS.has(target.hostname)) return res.status(400).end();
  // ok: js-ssrf
  await axios.post(target.toString(), {});
});

router.post('/g/cart', async (req, res) => {
  // ruleid: js-trust-boundary-violation
  req.session.cart = JSON.parse(req.get('X-Cart-State') || '{}');
  const team = await findTeamForMember(req.session.userId, Number(req.body.team));
  // ok: js-trust-boundary-violation
  req.session.teamId = team.id;
});

function signLegacyWebhook(body, secret) {
  // ruleid: js-weak-crypto
  return crypto.createHmac('md5', secret).update(body).digest('hex');
}

function etagFor(body) {
  // ok: js-weak-crypto
  return '"' + crypto.createHash('md5').update(body).digest('base64') + '"';
}

router.get('/g/hint', (req, res) => {
  // ruleid: js-insecure-cookie
  res.setHeader('Set-Cookie', `hint=${req.sessionID}; Path=/`);
  // ok: js-insecure-cookie
  res.setHeader('Set-Cookie', `hint=${req.sessionID}; Path=/; Secure; HttpOnly`);
});

// ruleid: js-hardcoded-secret
const s3 = new S3Client({ credentials: { accessKeyId: 'AKIAW8N3K5R7T2P9Q4MX', secretAccessKey: process.env.AWS_SECRET } });
// ok: js-hardcoded-secret
const s3FromEnv = new S3Client({ credentials: { accessKeyId: process.env.AWS_KEY_ID, secretAccessKey: process.env.AWS_SECRET } });

function eventsFor(local, shipmentId) {
  const sql = 'SELECT * FROM events WHERE shipment_id = ' + shipmentId;
  // ruleid: js-sql-injection
  local.prepare(sql).all();
  // ok: js-sql-injection
  return local.prepare('SELECT * FROM events WHERE shipment_id = ?').all(shipmentId);
}

const execAsync = require('util').promisify(child_process.exec);
app.post('/labels/print', async (req, res) => {
  // ruleid: js-command-injection
  await execAsync(`lp -d ${req.body.printer} /srv/labels/label.pdf`);
  // ruleid: js-command-injection
  child_process.execFileSync('/bin/sh', ['-c', `tar czf - /srv/manifests/${req.body.day}`]);
  // ok: js-command-injection
  child_process.execFileSync('tar', ['czf', '-', path.join('/srv/manifests', String(Number(req.body.day)))]);
  res.end();
});

function compileRule(source) {
  // ruleid: js-code-injection
  const script = new vm.Script(source);
  // ruleid: js-code-injection
  return script.runInThisContext();
}

app.get('/manifests/:name', (req, res) => {
  // ok: js-path-traversal
  res.download(req.params.name, { root: '/srv/manifests' });
});

app.get('/manifests/:name/raw', (req, res) => {
  // ruleid: js-path-traversal
  res.download(path.join('/srv/manifests', req.params.name));
});

app.post('/notes', (req, res) => {
  // ok: js-xss
  res.type('text').end(req.body.note);
});

app.post('/portal/login', (req, res) => {
  const target = new URL(req.body.returnUrl || '/', 'https://portal.example.com');
  // ok: js-open-redirect
  res.redirect(303, target.origin === 'https://portal.example.com' ? target.pathname + target.search : '/');
  const next = req.body.next;
  // ruleid: js-open-redirect
  res.redirect(303, next ? next : '/');
});

// --- Rows read back from the database are not request data --------------------------------
app.post('/teams/join', async (req, res) => {
  const { rows } = await db.query('SELECT team_id FROM invitations WHERE code = $1', [req.body.code]);
  if (rows.length === 0) return res.sendStatus(404);
  // ok: js-trust-boundary-violation
  req.session.teamId = rows[0].team_id;
  // ruleid: js-trust-boundary-violation
  req.session.requestedTeam = req.body.team;
  res.redirect('/team');
});

app.post('/teams/leave', async (req, res) => {
  // a query handle hanging off the request is not req.query
  const membership = await req.db.query('SELECT team_id FROM members WHERE user_id = $1', [req.body.user]);
  // ok: js-trust-boundary-violation
  req.session.lastTeam = membership.rows[0].team_id;
  res.end();
});

app.get('/teams/:slug', async (req, res) => {
  const team = await db.query('SELECT name, motto FROM teams WHERE slug = $1', [req.params.slug]);
  // ok: js-xss
  res.send('<h1>Team</h1>' + renderTeam(team.rows[0]));
  // ruleid: js-xss
  res.send('<h1>Team ' + req.params.slug + '</h1>');
});

// --- A parsed URL whose origin is allow-listed ------------------------------------------------
const RETURN_ORIGINS = new Set(['https://shop.example.com', 'https://help.example.com']);
app.get('/signout', (req, res) => {
  let destination = '/';
  const wanted = new URL(String(req.query.returnTo), 'https://shop.example.com');
  if (RETURN_ORIGINS.has(wanted.origin)) destination = wanted.href;
  // ok: js-open-redirect
  res.redirect(destination);
  // ruleid: js-open-redirect
  res.redirect(wanted.href);
});

// --- Uploads: multer names the stored file, the client names the original ---------------------
app.post('/avatars', async (req, res) => {
  const stored = crypto.randomUUID() + '.png';
  // ok: js-path-traversal
  await fs.promises.rename(req.file.path, path.join('/srv/avatars', stored));
  // ruleid: js-path-traversal
  await fs.promises.copyFile(req.file.path, path.join('/srv/avatars', req.file.originalname));
  res.sendStatus(201);
});

// --- A containment helper that rejects paths outside the base ---------------------------------
function insideExports(name) {
  const base = path.resolve('/srv/exports');
  const full = path.resolve(base, name);
  if (!full.startsWith(base + path.sep)) {
    throw new Error('outside the export area');
  }
  return full;
}

function exportPath(name) {
  return path.join('/srv/exports', name);
}

app.get('/exports', (req, res) => {
  // ok: js-path-traversal
  fs.createReadStream(insideExports(String(req.query.name))).pipe(res);
  // ruleid: js-path-traversal
  fs.createReadStream(exportPath(String(req.query.name))).pipe(res);
});

// --- LDAP: bind DN and escaping helpers -------------------------------------------------------
function escapeLdapValue(value) {
  return String(value).replace(/[*()\\\u0000]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

async function checkPassword(ldapClient, login, secret) {
  // ruleid: js-ldap-injection
  await ldapClient.bind('cn=' + login + ',ou=staff,dc=example,dc=org', secret);
}

app.get('/people', (req, res) => {
  const ldapClient = ldap.createClient({ url: 'ldaps://ldap.example.org' });
  // ok: js-ldap-injection
  ldapClient.search('ou=staff,dc=example,dc=org', { filter: '(mail=' + escapeLdapValue(req.query.mail) + ')' }, () => res.end());
});

// --- XPath through the function xpath.useNamespaces returns -----------------------------------
app.get('/catalogue/item', (req, res) => {
  const lookup = xpath.useNamespaces({ c: 'urn:example:catalogue' });
  // ruleid: js-xpath-injection
  const found = lookup("//c:item[@sku='" + req.query.sku + "']", catalogueDoc);
  // ok: js-xpath-injection
  const all = lookup('//c:item', catalogueDoc);
  res.json([found.length, all.length]);
});

// --- serialize-to-js evaluates what it deserializes -------------------------------------------
const { deserialize: revive } = require('serialize-to-js');
app.post('/widgets/restore', (req, res) => {
  // ruleid: js-insecure-deserialization
  const widget = revive(req.body.state);
  // ok: js-insecure-deserialization
  const plain = JSON.parse(req.body.state);
  res.json([widget, plain]);
});

// --- MD5 of a body quoted as an ETag ----------------------------------------------------------
app.get('/feed', (req, res) => {
  const payload = JSON.stringify(loadFeed());
  // ok: js-weak-crypto
  const tag = '"' + crypto.createHash('md5').update(payload).digest('hex') + '"';
  // ruleid: js-weak-crypto
  const signature = crypto.createHash('md5').update(payload + feedKey).digest('hex');
  res.set('X-Signature', signature).set('ETag', tag).send(payload);
});

// --- Session middleware cookie flags ----------------------------------------------------------
const expressSession = require('express-session');
const cookieSession = require('cookie-session');
app.use(expressSession({
  secret: process.env.SESSION_KEY,
  // ruleid: js-insecure-cookie
  cookie: { secure: false, httpOnly: true },
}));
app.use(expressSession({
  secret: process.env.SESSION_KEY,
  // ruleid: js-insecure-cookie
  cookie: { httpOnly: true, maxAge: 60000 },
}));
app.use(expressSession({
  secret: process.env.SESSION_KEY,
  // ok: js-insecure-cookie
  cookie: { secure: true, httpOnly: true, sameSite: 'strict' },
}));
// ruleid: js-insecure-cookie
app.use(cookieSession({ name: 'cart', keys: [process.env.CART_KEY], secure: true, httpOnly: false }));
// ok: js-insecure-cookie
app.use(cookieSession({ name: 'cart', keys: [process.env.CART_KEY], secure: true, httpOnly: true }));

// --- Credentials passed as literals -----------------------------------------------------------
const { Sequelize } = require('sequelize');
const jwt = require('jsonwebtoken');
const Twilio = require('twilio');
// ruleid: js-hardcoded-secret
const reporting = new Sequelize('reports', 'reporter', 'Rep0rts!2025$live', { dialect: 'postgres' });
// ok: js-hardcoded-secret
const warehouse = new Sequelize('warehouse', process.env.WH_USER, process.env.WH_PASSWORD, { dialect: 'postgres' });
function issueInvite(email) {
  // ruleid: js-hardcoded-secret
  return jwt.sign({ email }, 'inv1te-S1gning$Key#77', { expiresIn: '2d' });
}
function issueInviteV2(email) {
  // ok: js-hardcoded-secret
  return jwt.sign({ email }, process.env.INVITE_SIGNING_KEY, { expiresIn: '2d' });
}
// ruleid: js-hardcoded-secret
const smsClient = Twilio('AC00000000000000000000000000000000', 'deadbeefdeadbeefdeadbeefdeadbeef');
const mailerConfig = {
  // ruleid: js-hardcoded-secret
  smtpPassword: 'M4il$erv1ce!pw',
  // ok: js-hardcoded-secret
  smtpApiKey: '${SMTP_API_KEY}',
};

// setTimeout with a string evaluates it; with a callback it does not
app.get('/delay', (req, res) => {
  // ruleid: js-code-injection
  setTimeout(req.query.after, 100);
  const pause = (ms) => new Promise((resolve) => {
    // ok: js-code-injection
    setTimeout(resolve, ms);
  });
  function later(callback, ms) {
    // ok: js-code-injection
    setInterval(callback, ms);
  }
  pause(Number(req.query.ms)).then(() => later(() => res.end(), 10));
});

// --- Round 3: guards, lookups and look-alikes ---------------------------------------------
const yaml = require('js-yaml');
const jsTypes = require('js-yaml-js-types');
const ejs = require('ejs');
const serializeJavascript = require('serialize-javascript');
const fastify = require('fastify')();
const PARTNER_HOSTS = new Set(['api.partner.example']);

// a value coerced or defaulted before an anchored pattern test is still checked
app.get('/exports/by-day', async (req, res) => {
  const stamp = req.get('X-Export-Date');
  if (!/^\d{8}$/.test(stamp || '')) return res.status(400).end();
  // ok: js-path-traversal
  res.send(await fs.promises.readFile(`/srv/exports/${stamp}.csv`));
});
app.get('/exports/by-day/unchecked', async (req, res) => {
  const stamp = req.get('X-Export-Date');
  // ruleid: js-path-traversal
  res.send(await fs.promises.readFile(`/srv/exports/${stamp}.csv`));
});
app.post('/staff/bind', (req, res) => {
  const { login, secret } = req.body;
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(String(login))) return res.status(401).end();
  const directory = ldap.createClient({ url: 'ldaps://ldap.example.org' });
  // ok: js-ldap-injection
  directory.bind(`cn=${login},ou=people,dc=example,dc=org`, secret, () => res.end());
});

// an anchored pattern that matched, used inside the if; a bare prefix check is not enough
app.get('/leave', (req, res) => {
  const dest = String(req.query.dest || '/');
  if (/^\/[a-z0-9/-]*$/.test(dest)) {
    // ok: js-open-redirect
    return res.redirect(dest);
  }
  if (dest.startsWith('/')) {
    // ruleid: js-open-redirect
    return res.redirect(dest);
  }
  return res.redirect('/');
});

// Fastify: reply.redirect / reply.header('Location'), request.session.set
fastify.get('/fy/continue', async (request, reply) => {
  // ruleid: js-open-redirect
  reply.header('Location', request.query.next).code(302).send();
});
fastify.get('/fy/continue/v2', async (request, reply) => {
  // ok: js-open-redirect
  reply.header('Location', '/home').code(302).send();
});
fastify.post('/fy/prefs', async (request, reply) => {
  // ruleid: js-trust-boundary-violation
  request.session.set('tier', request.body.tier);
  const account = await Account.findOne({ where: { email: request.body.email } });
  // ok: js-trust-boundary-violation
  request.session.set('accountId', account.id);
  return reply.send({ ok: true });
});

// a helper that checks a parsed URL's host, failed before the request
function hostIsPartner(raw) {
  let parsed;
  try {
    parsed = new URL(raw);
  } catch (e) {
    return false;
  }
  return parsed.protocol === 'https:' && PARTNER_HOSTS.has(parsed.hostname);
}
function looksLikeUrl(raw) {
  return raw.startsWith('https://');
}
app.post('/hooks/probe', async (req, res) => {
  const target = String(req.body.target);
  if (!hostIsPartner(target)) return res.status(400).end();
  // ok: js-ssrf
  await axios.post(target, { ping: true });
  res.end();
});
app.post('/hooks/probe/v0', async (req, res) => {
  const target = String(req.body.target);
  if (!looksLikeUrl(target)) return res.status(400).end();
  // ruleid: js-ssrf
  await axios.post(target, { ping: true });
  res.end();
});
app.post('/hooks/probe/v2', async (req, res) => {
  const target = String(req.body.target);
  if (!security.isAllowedHost(target)) return res.status(400).end();
  // ok: js-ssrf
  await axios.post(target, { ping: true });
  res.end();
});

// rows read back through a model or a table on the handle: the database's values
app.post('/carts', async (req, res) => {
  const cart = await Cart.create({ owner: req.body.owner, items: req.body.items });
  // ok: js-trust-boundary-violation
  req.session.cartId = cart.id;
  // ruleid: js-trust-boundary-violation
  req.session.owner = req.body.owner;
  const claim = await db.claims.findByCode(req.query.code);
  // ok: js-trust-boundary-violation
  req.session.claimId = claim.id;
  const [first] = await Promise.all([req.body.nickname]);
  // ruleid: js-trust-boundary-violation
  req.session.nickname = first;
  res.end();
});
app.get('/attachments/:id', async (req, res) => {
  const attachment = await db.attachments.findOne({ id: req.params.id });
  // ok: js-path-traversal
  res.download(attachment.diskPath);
  const member = await Member.findById(req.query.member);
  // ok: js-open-redirect
  res.redirect(member.homePage);
});

// ldapjs search wrapped in a Promise; filter passed by shorthand
function lookupMail(directory, mail) {
  const filter = `(mail=${mail})`;
  return new Promise((resolve, reject) => {
    // ruleid: js-ldap-injection
    directory.search('ou=people,dc=example', { scope: 'sub', filter }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}
function lookupMailSafe(directory, mail) {
  const filter = new ldap.EqualityFilter({ attribute: 'mail', value: mail });
  return new Promise((resolve, reject) => {
    // ok: js-ldap-injection
    directory.search('ou=people,dc=example', { scope: 'sub', filter }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

// a libxmljs document, whatever it is called
app.get('/catalogue/item', (req, res) => {
  const catalogue = libxmljs.parseXml(fs.readFileSync('/srv/catalogue.xml', 'utf8'));
  // ruleid: js-xpath-injection
  const item = catalogue.get(`//item[@sku='${req.query.sku}']`);
  // ok: js-xpath-injection
  const all = catalogue.find('//item');
  res.json({ item: item && item.text(), count: all.length });
});

// only the extension of the client's name; a path helper that returns null outside the base
app.post('/avatars', async (req, res) => {
  const stored = crypto.randomUUID() + path.extname(req.file.originalname);
  // ok: js-path-traversal
  await fs.promises.rename(req.file.path, path.join('/srv/avatars', stored));
  // ruleid: js-path-traversal
  await fs.promises.copyFile(req.file.path, path.join('/srv/avatars', req.file.originalname));
  res.end();
});
function underBase(base, rel) {
  const full = path.resolve(base, rel);
  return full.startsWith(path.resolve(base) + path.sep) ? full : null;
}
app.delete('/scratch', async (req, res) => {
  const victim = underBase('/srv/scratch', String(req.body.name));
  if (!victim) return res.status(400).end();
  // ok: js-path-traversal
  await fs.promises.unlink(victim);
  // ruleid: js-path-traversal
  await fs.promises.unlink(path.resolve('/srv/scratch', req.body.name));
  res.end();
});

// an argument array to a program that is not a shell
app.get('/docs/:name/text', (req, res) => {
  const file = path.join('/srv/docs', req.params.name);
  // ok: js-command-injection
  child_process.execFile('pdftotext', ['-layout', file, '-'], (e, out) => res.send(out));
  // ruleid: js-command-injection
  child_process.execFile('/bin/bash', ['-c', `pdftotext ${file} -`], (e, out) => res.send(out));
});

// js-yaml 4 given the js-yaml-js-types (functions, regexps) schema
app.post('/recipes', (req, res) => {
  // ruleid: js-insecure-deserialization
  const recipe = yaml.load(req.body, { schema: yaml.DEFAULT_SCHEMA.extend(jsTypes.all) });
  // ruleid: js-insecure-deserialization
  const inline = yaml.load(req.body, { schema: yaml.DEFAULT_SCHEMA.extend(require('js-yaml-js-types').all) });
  // ok: js-insecure-deserialization
  const plain = yaml.load(req.body, { schema: yaml.CORE_SCHEMA });
  res.json([recipe, inline, plain]);
});

// placeholders generated per element, values bound
app.post('/baskets/items', async (req, res) => {
  const skus = Array.isArray(req.body.skus) ? req.body.skus : [];
  const marks = skus.map(() => '?').join(', ');
  // ok: js-sql-injection
  await db.query(`SELECT * FROM items WHERE sku IN (${marks})`, skus);
  const numbered = skus.map((_, i) => `$${i + 1}`).join(', ');
  // ok: js-sql-injection
  await db.query(`SELECT * FROM items WHERE sku IN (${numbered})`, skus);
  const quoted = skus.map((s) => `'${s}'`).join(', ');
  // ruleid: js-sql-injection
  await db.query(`SELECT * FROM items WHERE sku IN (${quoted})`);
  res.end();
});

// createCipher derives its key with MD5 whatever the cipher; digests named for caching
function sealLegacy(text) {
  // ruleid: js-weak-crypto
  const c = crypto.createCipher('aes-256-cbc', process.env.LEGACY_PASS);
  return c.update(text, 'utf8', 'hex') + c.final('hex');
}
app.get('/reports/:id/pdf', async (req, res) => {
  const pdf = await renderReport(req.params.id);
  // ok: js-weak-crypto
  const etag = crypto.createHash('md5').update(pdf).digest('hex');
  // ok: js-weak-crypto
  const cacheKey = crypto.createHash('sha1').update(req.originalUrl).digest('hex');
  // ruleid: js-weak-crypto
  const downloadToken = crypto.createHash('sha1').update(pdf + process.env.LINK_SECRET).digest('hex');
  res.json({ etag, cacheKey, downloadToken });
});

// escaping template tags; JSON in an inline script
app.get('/greet', (req, res) => {
  // ok: js-xss
  res.send(ejs.render('<p>Hello <%= who %></p>', { who: req.query.who }));
  // ruleid: js-xss
  res.send(ejs.render('<p>Hello <%- who %></p>', { who: req.query.who }));
});
app.get('/boot', (req, res) => {
  // ruleid: js-xss
  res.send(`<script>window.BOOT = ${JSON.stringify(req.query)}</script>`);
  // ok: js-xss
  res.send(`<script>window.BOOT = ${serializeJavascript(req.query, { isJSON: true })}</script>`);
  // ok: js-xss
  res.send(`<pre>${escapeHtml(JSON.stringify(req.query))}</pre>`);
});
koaRouter.get('/k/boot', (ctx) => {
  // ruleid: js-xss
  const page = `<script>var state = ${JSON.stringify(ctx.query)};</script>`;
  // ruleid: js-xss
  ctx.body = page;
});
