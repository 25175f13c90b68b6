'use strict';
// Product catalogue routes (Express, mysql2 and pg).

const express = require('express');
const mysql = require('mysql2');
const { Pool } = require('pg');
const escapeHtml = require('escape-html');

const router = express.Router();
const db = mysql.createPool({ host: 'db', user: 'shop', database: 'shop', password: process.env.DB_PASSWORD });
const pg = new Pool({ connectionString: process.env.DATABASE_URL });
const SORTABLE = new Set(['name', 'price', 'created_at']);

router.get('/products', (req, res, next) => {
  const category = req.query.category;
  // vuln: CWE-89
  db.query("SELECT id, name, price FROM products WHERE category = '" + category + "'", (err, rows) => {
    if (err) return next(err);
    res.json(rows);
  });
});

router.post('/products/search', async (req, res) => {
  const { term } = req.body;
  // vuln: CWE-89
  const result = await pg.query(`SELECT id, name FROM products WHERE name ILIKE '%${term}%'`);
  res.json(result.rows);
});

function productsByBrand(brand) {
  const sql = 'SELECT id, name FROM products WHERE brand = "' + brand + '" AND active = 1';
  // vuln: CWE-89
  return db.promise().query(sql);
}

router.get('/brands/:brand/products', async (req, res) => {
  const [rows] = await productsByBrand(req.params.brand);
  res.json(rows);
});

router.get('/products/sorted', async (req, res) => {
  const order = req.query.order || 'name';
  // vuln: CWE-89
  const result = await pg.query('SELECT id, name, price FROM products ORDER BY ' + order);
  res.json(result.rows);
});

router.get('/products/:id', async (req, res) => {
  // safe: CWE-89
  const result = await pg.query('SELECT id, name, price FROM products WHERE id = $1', [req.params.id]);
  res.json(result.rows[0] || null);
});

router.get('/products/by-category', (req, res, next) => {
  // safe: CWE-89
  db.query('SELECT id, name, price FROM products WHERE category = ?', [req.query.category], (err, rows) => {
    if (err) return next(err);
    res.json(rows);
  });
});

router.get('/products/page', async (req, res) => {
  const order = SORTABLE.has(req.query.order) ? req.query.order : 'name';
  // safe: CWE-89
  const result = await pg.query(`SELECT id, name, price FROM products ORDER BY ${order}`);
  res.json(result.rows);
});

router.get('/products/latest', async (req, res) => {
  const limit = parseInt(req.query.limit, 10) || 20;
  // safe: CWE-89
  const [rows] = await db.promise().query(`SELECT id, name FROM products ORDER BY created_at DESC LIMIT ${limit}`);
  res.json(rows);
});

router.get('/hello', (req, res) => {
  const name = req.query.name || 'guest';
  // vuln: CWE-79
  res.send('<h1>Welcome back, ' + name + '!</h1>');
});

router.get('/search', (req, res) => {
  // vuln: CWE-79
  res.send(`<p>No results for <b>${req.query.q}</b></p>`);
});

router.post('/reviews/preview', (req, res) => {
  const { title, body } = req.body;
  res.set('Content-Type', 'text/html');
  // vuln: CWE-79
  res.write('<article><h2>' + title + '</h2><p>' + body + '</p></article>');
  res.end();
});

router.get('/hello/safe', (req, res) => {
  const name = req.query.name || 'guest';
  // safe: CWE-79
  res.send('<h1>Welcome back, ' + escapeHtml(name) + '!</h1>');
});

router.get('/api/search', (req, res) => {
  // safe: CWE-79
  res.json({ query: req.query.q, results: [] });
});

router.get('/search/page', (req, res) => {
  // safe: CWE-79
  res.render('search', { q: req.query.q, results: [] });
});

router.get('/products/count', async (req, res) => {
  const result = await pg.query('SELECT COUNT(*) AS n FROM products');
  // safe: CWE-79
  res.send(`<p>${Number(result.rows[0].n)} products in stock</p>`);
});

router.use((req, res) => {
  // vuln: CWE-79
  res.status(404).send(`<p>Nothing lives at ${decodeURIComponent(req.originalUrl)}</p>`);
});

module.exports = router;
