'use strict';
// Dispatcher and driver lookups: LDAP (ldapts) and the XML depot roster (Express).

const express = require('express');
const fs = require('fs');
const { Client, EqualityFilter, AndFilter } = require('ldapts');
const xpath = require('xpath');
const { DOMParser } = require('@xmldom/xmldom');

const router = express.Router();
const BASE = 'ou=drivers,dc=logistics,dc=example,dc=net';
const ldapClient = new Client({ url: 'ldaps://directory.logistics.example.net' });
const roster = new DOMParser().parseFromString(fs.readFileSync('/data/roster.xml', 'utf8'), 'text/xml');
const SHIFTS = new Set(['early', 'late', 'night']);

function escapeLdap(value) {
  return String(value).replace(/[\\*()\0]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

router.get('/drivers/:employeeId', async (req, res) => {
  // vuln: CWE-90
  const { searchEntries } = await ldapClient.search(BASE, { scope: 'sub', filter: `(employeeID=${req.params.employeeId})` });
  res.json(searchEntries);
});

router.post('/drivers/search', async (req, res) => {
  const filter = '(&(objectClass=inetOrgPerson)(l=' + req.body.city + ')(cn=*' + req.body.name + '*))';
  // vuln: CWE-90
  const { searchEntries } = await ldapClient.search(BASE, { scope: 'sub', filter, attributes: ['cn', 'mobile'] });
  res.json(searchEntries);
});

async function isDispatcher(login) {
  // vuln: CWE-90
  const { searchEntries } = await ldapClient.search('ou=groups,dc=logistics,dc=example,dc=net', { filter: '(&(cn=dispatchers)(memberUid=' + login + '))' });
  return searchEntries.length > 0;
}

router.get('/me/dispatcher', async (req, res) => {
  res.json({ dispatcher: await isDispatcher(req.get('X-Remote-User')) });
});

router.get('/drivers/:employeeId/safe', async (req, res) => {
  // safe: CWE-90
  const { searchEntries } = await ldapClient.search(BASE, { scope: 'sub', filter: new EqualityFilter({ attribute: 'employeeID', value: req.params.employeeId }) });
  res.json(searchEntries);
});

router.post('/drivers/search/safe', async (req, res) => {
  const filter = `(&(objectClass=inetOrgPerson)(l=${escapeLdap(req.body.city)})(cn=*${escapeLdap(req.body.name)}*))`;
  // safe: CWE-90
  const { searchEntries } = await ldapClient.search(BASE, { scope: 'sub', filter, attributes: ['cn', 'mobile'] });
  res.json(searchEntries);
});

router.get('/me/dispatcher/safe', async (req, res) => {
  const filter = new AndFilter({ filters: [new EqualityFilter({ attribute: 'cn', value: 'dispatchers' }), new EqualityFilter({ attribute: 'memberUid', value: req.get('X-Remote-User') })] });
  // safe: CWE-90
  const { searchEntries } = await ldapClient.search('ou=groups,dc=logistics,dc=example,dc=net', { filter });
  res.json({ dispatcher: searchEntries.length > 0 });
});

router.get('/roster/shift', (req, res) => {
  const depot = req.query.depot;
  // vuln: CWE-643
  const drivers = xpath.select(`//depot[@code="${depot}"]/shift/driver/@name`, roster);
  res.json(drivers.map((d) => d.value));
});

router.get('/roster/vehicle/:plate', (req, res) => {
  const expression = "string(//vehicle[plate='" + req.params.plate + "']/assigned-driver)";
  // vuln: CWE-643
  const driver = xpath.evaluate(expression, roster, null, xpath.XPathResult.STRING_TYPE, null).stringValue;
  res.json({ driver });
});

router.post('/roster/lookup', (req, res) => {
  const { surname } = req.body;
  const select = xpath.useNamespaces({ r: 'urn:example:roster' });
  // vuln: CWE-643
  const nodes = select("//r:driver[r:surname='" + surname + "']", roster);
  res.json(nodes.length);
});

router.get('/roster/shift/safe', (req, res) => {
  // safe: CWE-643
  const drivers = xpath.parse('//depot[@code=$depot]/shift/driver/@name').select({ node: roster, variables: { depot: String(req.query.depot) } });
  res.json(drivers.map((d) => d.value));
});

router.get('/roster/shift/:shift', (req, res) => {
  if (!SHIFTS.has(req.params.shift)) return res.status(404).end();
  // safe: CWE-643
  const drivers = xpath.select(`//shift[@name='${req.params.shift}']/driver/@name`, roster);
  res.json(drivers.map((d) => d.value));
});

router.get('/roster/bay/:bay', (req, res) => {
  const bay = Number.parseInt(req.params.bay, 10);
  // safe: CWE-643
  const vehicles = xpath.select(`//vehicle[@bay=${bay}]/plate/text()`, roster);
  res.json(vehicles.map((v) => v.data));
});

module.exports = router;
