'use strict';
// Shipment tracking API and customer-facing tracking pages (Express, Sequelize, knex, better-sqlite3).

const express = require('express');
const { Sequelize, QueryTypes } = require('sequelize');
const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });
const Database = require('better-sqlite3');
const he = require('he');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));

const sequelize = new Sequelize(process.env.DATABASE_URL);
const local = new Database('/var/lib/tracking/cache.db');
const STATUSES = ['in_transit', 'delivered', 'exception'];

app.get('/shipments/:trackingNumber', async (req, res) => {
  // vuln: CWE-89
  const rows = await sequelize.query(`SELECT * FROM shipments WHERE tracking_number = '${req.params.trackingNumber}'`, { type: QueryTypes.SELECT });
  res.json(rows[0] || null);
});

app.post('/shipments/search', async (req, res) => {
  const { consignee } = req.body;
  // vuln: CWE-89
  const rows = await knex.raw("SELECT id, status FROM shipments WHERE consignee_name LIKE '%" + consignee + "%'");
  res.json(rows.rows);
});

function eventsFor(shipmentId, since) {
  const sql = 'SELECT * FROM events WHERE shipment_id = ' + shipmentId + " AND created_at > '" + since + "'";
  // vuln: CWE-89
  return local.prepare(sql).all();
}

app.get('/shipments/:id/events', (req, res) => {
  res.json(eventsFor(req.params.id, req.query.since || '1970-01-01'));
});

app.get('/depots/:depot/backlog', async (req, res) => {
  // vuln: CWE-89
  const rows = await knex('shipments').whereRaw(`depot = '${req.params.depot}' AND status <> 'delivered'`);
  res.json(rows);
});

app.get('/shipments/:trackingNumber/safe', async (req, res) => {
  // safe: CWE-89
  const rows = await sequelize.query('SELECT * FROM shipments WHERE tracking_number = :tn', { replacements: { tn: req.params.trackingNumber }, type: QueryTypes.SELECT });
  res.json(rows[0] || null);
});

app.post('/shipments/search/safe', async (req, res) => {
  // safe: CWE-89
  const rows = await knex('shipments').select('id', 'status').where('consignee_name', 'like', `%${req.body.consignee}%`);
  res.json(rows);
});

app.get('/shipments/:id/events/safe', (req, res) => {
  // safe: CWE-89
  const rows = local.prepare('SELECT * FROM events WHERE shipment_id = ? AND created_at > ?').all(req.params.id, req.query.since || '1970-01-01');
  res.json(rows);
});

app.get('/depots/:depot/backlog/safe', async (req, res) => {
  // safe: CWE-89
  const rows = await knex('shipments').whereRaw('depot = ? AND status <> ?', [req.params.depot, 'delivered']);
  res.json(rows);
});

app.get('/shipments/by-status/:status', async (req, res) => {
  const status = STATUSES.includes(req.params.status) ? req.params.status : 'in_transit';
  // safe: CWE-89
  const rows = await sequelize.query(`SELECT id FROM shipments WHERE status = '${status}'`, { type: QueryTypes.SELECT });
  res.json(rows);
});

app.get('/track', (req, res) => {
  const tn = req.query.tn;
  // vuln: CWE-79
  res.send(`<html><body><h1>Tracking ${tn}</h1><div id="timeline"></div></body></html>`);
});

app.post('/track/note', (req, res) => {
  const html = '<li class="note">' + req.body.note + '</li>';
  // vuln: CWE-79
  res.type('html').end(html);
});

app.get('/track/recipient', (req, res) => {
  const recipient = req.get('X-Recipient-Name');
  res.setHeader('Content-Type', 'text/html');
  // vuln: CWE-79
  res.end('<p>Parcel for ' + recipient + '</p>');
});

app.get('/track/embed', (req, res) => {
  // vuln: CWE-79
  res.send('<script>var trackingNumber = "' + req.query.tn + '";</script>');
});

app.get('/track/safe', (req, res) => {
  // safe: CWE-79
  res.send(`<html><body><h1>Tracking ${he.encode(String(req.query.tn))}</h1></body></html>`);
});

app.post('/track/note/safe', (req, res) => {
  // safe: CWE-79
  res.type('text').end(req.body.note);
});

app.get('/track/embed/safe', (req, res) => {
  // safe: CWE-79
  res.render('embed', { trackingNumber: req.query.tn });
});

app.get('/track/:id(\\d+)/summary', (req, res) => {
  const id = Number(req.params.id);
  // safe: CWE-79
  res.send(`<p>Shipment ${id} is on its way.</p>`);
});

module.exports = app;
