'use strict';
// Staff directory: LDAP people search and the XML org chart (Express, ldapjs, xpath).

const express = require('express');
const fs = require('fs');
const ldap = require('ldapjs');
const { filter: ldapFilter } = require('ldap-escape');
const xpath = require('xpath');
const { DOMParser } = require('@xmldom/xmldom');

const router = express.Router();
const BASE_DN = 'ou=people,dc=corp,dc=example,dc=com';
const client = ldap.createClient({ url: 'ldaps://ldap.corp.example.com' });
const orgChart = new DOMParser().parseFromString(fs.readFileSync('/srv/directory/orgchart.xml', 'utf8'), 'text/xml');
const DEPARTMENTS = ['eng', 'sales', 'support'];

function collect(res) {
  return (err, search) => {
    if (err) return res.status(500).end();
    const people = [];
    search.on('searchEntry', (entry) => people.push(entry.pojo));
    search.on('end', () => res.json(people));
  };
}

router.get('/people', (req, res) => {
  const uid = req.query.uid;
  // vuln: CWE-90
  client.search(BASE_DN, { filter: '(uid=' + uid + ')', scope: 'sub', attributes: ['cn', 'mail'] }, collect(res));
});

router.post('/people/search', (req, res) => {
  const { surname, department } = req.body;
  const opts = { scope: 'sub', filter: `(&(sn=${surname}*)(departmentNumber=${department}))` };
  // vuln: CWE-90
  client.search(BASE_DN, opts, collect(res));
});

router.get('/groups/:name/members', (req, res) => {
  const filter = '(&(objectClass=groupOfNames)(cn=' + req.params.name + '))';
  // vuln: CWE-90
  client.search('ou=groups,dc=corp,dc=example,dc=com', { filter, scope: 'sub', attributes: ['member'] }, collect(res));
});

router.get('/people/safe', (req, res) => {
  // safe: CWE-90
  client.search(BASE_DN, { filter: ldapFilter`(uid=${req.query.uid})`, scope: 'sub', attributes: ['cn', 'mail'] }, collect(res));
});

router.post('/people/search/safe', (req, res) => {
  const filter = new ldap.EqualityFilter({ attribute: 'sn', value: req.body.surname });
  // safe: CWE-90
  client.search(BASE_DN, { filter, scope: 'sub' }, collect(res));
});

router.get('/people/active', (req, res) => {
  // safe: CWE-90
  client.search(BASE_DN, { filter: '(&(objectClass=person)(!(nsAccountLock=TRUE)))', scope: 'sub' }, collect(res));
});

router.get('/org/manager', (req, res) => {
  const id = req.query.employee;
  // vuln: CWE-643
  const nodes = xpath.select("//employee[@id='" + id + "']/ancestor::employee[1]/@name", orgChart);
  res.json(nodes.map((n) => n.value));
});

router.post('/org/team', (req, res) => {
  const expr = `//team[name='${req.body.team}']/member/text()`;
  // vuln: CWE-643
  const members = xpath.select(expr, orgChart);
  res.json(members.map((m) => m.data));
});

router.get('/org/phone', (req, res) => {
  const name = req.get('X-Employee-Name');
  // vuln: CWE-643
  const phone = xpath.select1('string(//employee[@name="' + name + '"]/phone)', orgChart);
  res.json({ phone });
});

router.get('/org/manager/safe', (req, res) => {
  // safe: CWE-643
  const nodes = xpath.parse('//employee[@id=$id]/ancestor::employee[1]/@name').select({ node: orgChart, variables: { id: req.query.employee } });
  res.json(nodes.map((n) => n.value));
});

router.get('/org/department/:dept', (req, res) => {
  if (!DEPARTMENTS.includes(req.params.dept)) return res.status(404).end();
  // safe: CWE-643
  const heads = xpath.select(`//department[@code='${req.params.dept}']/head/@name`, orgChart);
  res.json(heads.map((h) => h.value));
});

router.get('/org/floor/:floor', (req, res) => {
  const floor = parseInt(req.params.floor, 10);
  // safe: CWE-643
  const people = xpath.select(`//employee[office/@floor=${floor}]/@name`, orgChart);
  res.json(people.map((p) => p.value));
});

module.exports = router;
