'use strict';

// Property listings: search, detail pages, landlord listing management.

const express = require('express');
const mysql = require('mysql2/promise');
const { Pool } = require('pg');
const escapeHtml = require('escape-html');

const router = express.Router();

const mysqlPool = mysql.createPool({
  host: process.env.LISTINGS_DB_HOST,
  user: process.env.LISTINGS_DB_USER,
  password: process.env.LISTINGS_DB_PASSWORD,
  database: 'listings',
  connectionLimit: 10,
});

const pg = new Pool({ connectionString: process.env.SEARCH_DATABASE_URL });

const SORTABLE_COLUMNS = {
  price: 'monthly_rent',
  newest: 'published_at',
  size: 'floor_area_sqm',
  bedrooms: 'bedrooms',
};

function buildAmenityClause(amenities) {
  // amenities arrives as a comma separated list, e.g. "parking,balcony"
  return amenities
    .split(',')
    .map((a) => `FIND_IN_SET('${a.trim()}', amenities) > 0`)
    .join(' AND ');
}

class ListingRepository {
  constructor(pool) {
    this.pool = pool;
  }

  async findByCity(city, maxRent) {
    let sql = 'SELECT id, title, monthly_rent, city FROM listings WHERE status = "published"';
    sql += " AND city = '" + city + "'";
    if (maxRent) {
      sql += ' AND monthly_rent <= ' + maxRent;
    }
    // vuln: CWE-89
    const [rows] = await this.pool.query(sql);
    return rows;
  }

  async findByCitySafe(city, maxRent) {
    const params = [city];
    let sql = 'SELECT id, title, monthly_rent, city FROM listings WHERE status = "published" AND city = ?';
    if (maxRent) {
      sql += ' AND monthly_rent <= ?';
      params.push(maxRent);
    }
    // safe: CWE-89
    const [rows] = await this.pool.execute(sql, params);
    return rows;
  }

  async findByLandlord(landlordId) {
    // safe: CWE-89
    const [rows] = await this.pool.query('SELECT * FROM listings WHERE landlord_id = ? ORDER BY updated_at DESC', [landlordId]);
    return rows;
  }
}

const listings = new ListingRepository(mysqlPool);

router.get('/search', async (req, res, next) => {
  try {
    const rows = await listings.findByCity(req.query.city, req.query.maxRent);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/search/v2', async (req, res, next) => {
  try {
    const rows = await listings.findByCitySafe(req.query.city, req.query.maxRent);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/landlords/:landlordId/listings', async (req, res, next) => {
  try {
    res.json(await listings.findByLandlord(req.params.landlordId));
  } catch (err) {
    next(err);
  }
});

router.get('/search/amenities', async (req, res, next) => {
  try {
    const clause = buildAmenityClause(req.query.amenities || '');
    // vuln: CWE-89
    const [rows] = await mysqlPool.query(`SELECT id, title FROM listings WHERE ${clause} LIMIT 50`);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/search/sorted', async (req, res, next) => {
  try {
    const column = SORTABLE_COLUMNS[req.query.sort] || 'published_at';
    const direction = req.query.dir === 'asc' ? 'ASC' : 'DESC';
    // safe: CWE-89
    const { rows } = await pg.query(`SELECT id, title, monthly_rent FROM listings ORDER BY ${column} ${direction} LIMIT 100`);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/search/ordered', async (req, res, next) => {
  try {
    const order = req.query.orderBy || 'published_at';
    // vuln: CWE-89
    const { rows } = await pg.query('SELECT id, title, monthly_rent FROM listings ORDER BY ' + order + ' LIMIT 100');
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/listings/:id', async (req, res, next) => {
  try {
    const id = parseInt(req.params.id, 10);
    if (Number.isNaN(id)) {
      return res.status(400).json({ error: 'invalid listing id' });
    }
    // safe: CWE-89
    const { rows } = await pg.query('SELECT * FROM listings WHERE id = ' + id);
    if (!rows.length) return res.sendStatus(404);
    res.json(rows[0]);
  } catch (err) {
    next(err);
  }
});

router.get('/listings/by-ref/:ref', async (req, res, next) => {
  try {
    // vuln: CWE-89
    const { rows } = await pg.query(`SELECT * FROM listings WHERE external_ref = '${req.params.ref}'`);
    res.json(rows[0] || null);
  } catch (err) {
    next(err);
  }
});

router.post('/listings/:id/views', async (req, res, next) => {
  try {
    const { source, referrer } = req.body;
    // safe: CWE-89
    await pg.query('INSERT INTO listing_views (listing_id, source, referrer) VALUES ($1, $2, $3)', [req.params.id, source, referrer]);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.post('/listings/:id/tags', async (req, res, next) => {
  try {
    const tags = req.body.tags || [];
    const values = tags.map((t) => `(${req.params.id}, '${t}')`).join(', ');
    const insert = 'INSERT INTO listing_tags (listing_id, tag) VALUES ' + values;
    // vuln: CWE-89
    await mysqlPool.execute(insert);
    res.sendStatus(201);
  } catch (err) {
    next(err);
  }
});

router.post('/listings/:id/features', async (req, res, next) => {
  try {
    const features = Array.isArray(req.body.features) ? req.body.features : [];
    const placeholders = features.map(() => '(?, ?)').join(', ');
    const params = features.flatMap((f) => [req.params.id, String(f)]);
    // safe: CWE-89
    await mysqlPool.query('INSERT INTO listing_features (listing_id, feature) VALUES ' + placeholders, params);
    res.sendStatus(201);
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// HTML fragments rendered for the public listing pages and the embed widget
// ---------------------------------------------------------------------------

router.get('/search/results', async (req, res, next) => {
  try {
    const term = req.query.q || '';
    const [rows] = await mysqlPool.query('SELECT id, title FROM listings WHERE title LIKE ? LIMIT 20', [`%${term}%`]);
    const items = rows.map((r) => `<li><a href="/listings/${r.id}">${escapeHtml(r.title)}</a></li>`).join('');
    // vuln: CWE-79
    res.send(`<h2>Results for "${term}"</h2><ul>${items}</ul>`);
  } catch (err) {
    next(err);
  }
});

router.get('/search/results/v2', async (req, res, next) => {
  try {
    const term = req.query.q || '';
    const [rows] = await mysqlPool.query('SELECT id, title FROM listings WHERE title LIKE ? LIMIT 20', [`%${term}%`]);
    const items = rows.map((r) => `<li><a href="/listings/${r.id}">${escapeHtml(r.title)}</a></li>`).join('');
    // safe: CWE-79
    res.send(`<h2>Results for "${escapeHtml(term)}"</h2><ul>${items}</ul>`);
  } catch (err) {
    next(err);
  }
});

router.get('/embed/listing', (req, res) => {
  const title = req.query.title;
  const color = req.query.accent || '#0a7';
  let html = '<div class="rent-widget" style="border-color:' + color + '">';
  html += '<span class="title">' + title + '</span>';
  html += '</div>';
  res.set('Content-Type', 'text/html');
  // vuln: CWE-79
  res.end(html);
});

router.get('/listings/:id/print', async (req, res, next) => {
  try {
    const { rows } = await pg.query('SELECT title, description FROM listings WHERE id = $1', [req.params.id]);
    if (!rows.length) return res.sendStatus(404);
    // safe: CWE-79
    res.render('listing-print', { listing: rows[0], note: req.query.note });
  } catch (err) {
    next(err);
  }
});

router.get('/listings/:id/contact', (req, res) => {
  const name = req.cookies.visitor_name || 'there';
  res.status(200);
  res.write('<html><body>');
  // vuln: CWE-79
  res.write('<p>Hi ' + name + ', the landlord will get back to you shortly.</p>');
  res.end('</body></html>');
});

router.get('/listings/:id/contact/v2', (req, res) => {
  const name = req.cookies.visitor_name || 'there';
  res.status(200);
  res.write('<html><body>');
  // safe: CWE-79
  res.write('<p>Hi ' + escapeHtml(name) + ', the landlord will get back to you shortly.</p>');
  res.end('</body></html>');
});

router.get('/search/count', async (req, res, next) => {
  try {
    const beds = Number.parseInt(req.query.bedrooms, 10) || 0;
    const [rows] = await mysqlPool.query('SELECT COUNT(*) AS n FROM listings WHERE bedrooms >= ?', [beds]);
    // safe: CWE-79
    res.send('<span class="count">' + rows[0].n + ' homes with ' + beds + '+ bedrooms</span>');
  } catch (err) {
    next(err);
  }
});

router.get('/l/:slug', async (req, res, next) => {
  try {
    const { rows } = await pg.query('SELECT id FROM listings WHERE slug = $1', [req.params.slug]);
    if (rows.length) return res.redirect(301, `/listings/${rows[0].id}`);
    // vuln: CWE-79
    res.status(404).send(`<p>No listing matches <b>${req.params.slug}</b>. <a href="/search">Back to search</a></p>`);
  } catch (err) {
    next(err);
  }
});

module.exports = router;
