'use strict';

// Public event and venue listings: search, event pages, reviews and the embeddable widget.

const express = require('express');
const mysql = require('mysql2/promise');
const ejs = require('ejs');
const escapeHtml = require('escape-html');
const knex = require('knex')({ client: 'mysql2', connection: process.env.CATALOG_DATABASE_URL });

const router = express.Router();
const pool = mysql.createPool({ uri: process.env.CATALOG_DATABASE_URL, connectionLimit: 10 });

const SORT_COLUMNS = { date: 'e.starts_at', price: 'e.min_price_cents', name: 'e.title' };
const BASE_LISTING_SQL =
  'SELECT e.id, e.title, e.starts_at, e.min_price_cents, v.name AS venue_name ' +
  'FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.status = \'published\'';

function cityClause(city) {
  return " AND v.city = '" + city + "'";
}

function renderEventCard(ev) {
  return `<article class="event-card"><h3>${escapeHtml(ev.title)}</h3><time>${ev.starts_at.toISOString()}</time></article>`;
}

router.get('/search', async (req, res, next) => {
  try {
    const term = req.query.q || '';
    let sql = BASE_LISTING_SQL;
    sql += " AND (e.title LIKE '%" + term + "%' OR e.artist LIKE '%" + term + "%')";
    if (req.query.city) {
      sql += cityClause(req.query.city);
    }
    // vuln: CWE-89
    const [rows] = await pool.query(sql);
    if (rows.length === 0) {
      res.status(200);
      // vuln: CWE-79
      return res.send(`<section class="empty"><h2>No events match "${term}"</h2><a href="/events">Browse all events</a></section>`);
    }
    res.send(`<section class="results">${rows.map(renderEventCard).join('')}</section>`);
  } catch (err) {
    next(err);
  }
});

router.get('/search/suggest', async (req, res, next) => {
  try {
    const prefix = String(req.query.prefix || '');
    // safe: CWE-89
    const [rows] = await pool.execute('SELECT id, title FROM events WHERE status = \'published\' AND title LIKE ? ORDER BY popularity DESC LIMIT 8', [prefix + '%']);
    if (rows.length === 0) {
      // safe: CWE-79
      return res.send(`<ul class="suggest"><li class="none">Nothing found for "${escapeHtml(prefix)}"</li></ul>`);
    }
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/events/:id', async (req, res, next) => {
  try {
    const eventId = Number.parseInt(req.params.id, 10);
    if (!Number.isInteger(eventId)) {
      return res.status(400).json({ error: 'bad event id' });
    }
    // safe: CWE-89
    const [rows] = await pool.query(`SELECT * FROM events WHERE id = ${eventId} AND status = 'published'`);
    if (!rows.length) return res.sendStatus(404);
    res.render('event', { event: rows[0] });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:slug/events', async (req, res, next) => {
  try {
    const sortCol = SORT_COLUMNS[req.query.sort] || SORT_COLUMNS.date;
    // safe: CWE-89
    const rows = await knex('events as e').join('venues as v', 'v.id', 'e.venue_id').where('v.slug', req.params.slug).select('e.id', 'e.title', 'e.starts_at').orderByRaw(`${sortCol} ASC`);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/artists/events', async (req, res, next) => {
  try {
    const artist = req.query.artist;
    // vuln: CWE-89
    const rows = await knex('events').whereRaw(`artist = '${artist}' AND status = 'published'`).select('id', 'title', 'starts_at');
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/calendar', async (req, res, next) => {
  try {
    const { from, to } = req.query;
    const category = req.get('X-Category-Filter') || 'all';
    const filter = category === 'all' ? '' : `AND category = '${category}'`;
    // vuln: CWE-89
    const result = await knex.raw(`SELECT id, title, starts_at FROM events WHERE starts_at BETWEEN ? AND ? ${filter} ORDER BY starts_at`, [from, to]);
    res.json(result[0]);
  } catch (err) {
    next(err);
  }
});

router.get('/calendar/week', async (req, res, next) => {
  try {
    const { start } = req.query;
    // safe: CWE-89
    const result = await knex.raw('SELECT id, title, starts_at FROM events WHERE starts_at >= ? AND starts_at < DATE_ADD(?, INTERVAL 7 DAY) ORDER BY starts_at', [start, start]);
    res.json(result[0]);
  } catch (err) {
    next(err);
  }
});

router.get('/events/:id/reviews', async (req, res, next) => {
  try {
    const [reviews] = await pool.execute('SELECT author_name, body, rating FROM reviews WHERE event_id = ? AND hidden = 0', [req.params.id]);
    res.type('html');
    res.write('<ul class="reviews">');
    for (const review of reviews) {
      // vuln: CWE-79
      res.write('<li><strong>' + review.author_name + '</strong> (' + review.rating + '/5)<p>' + review.body + '</p></li>');
    }
    res.end('</ul>');
  } catch (err) {
    next(err);
  }
});

router.get('/widget', (req, res) => {
  const theme = req.query.theme || 'light';
  const ref = req.query.ref;
  const markup = '<div class="tix-widget tix-' + theme + '" data-ref="' + ref + '"><script src="/static/widget.js"></script></div>';
  // vuln: CWE-79
  res.type('html').send(markup);
});

router.get('/events/:id/share', async (req, res) => {
  const note = req.query.note || '';
  const tpl = '<div class="share"><p class="note"><%- note %></p><a href="/events/<%= id %>">View event</a></div>';
  // vuln: CWE-79
  res.send(ejs.render(tpl, { note, id: req.params.id }));
});

router.get('/events/:id/share-preview', async (req, res) => {
  const note = req.query.note || '';
  const tpl = '<div class="share"><p class="note"><%= note %></p><a href="/events/<%= id %>">View event</a></div>';
  // safe: CWE-79
  res.send(ejs.render(tpl, { note, id: req.params.id }));
});

router.get('/events/:id/availability', async (req, res) => {
  const section = req.query.section || 'all';
  // safe: CWE-79
  res.type('text/plain').send(`Availability for section ${section} is being recalculated, please retry shortly.`);
});

router.get('/featured', async (req, res, next) => {
  try {
    const [rows] = await pool.query('SELECT id, title, starts_at FROM events WHERE featured = 1 AND status = \'published\'');
    const picks = rows.slice();
    for (let i = picks.length - 1; i > 0; i--) {
      // safe: CWE-330
      const j = Math.floor(Math.random() * (i + 1));
      [picks[i], picks[j]] = [picks[j], picks[i]];
    }
    res.json(picks.slice(0, 6));
  } catch (err) {
    next(err);
  }
});

// Outbound "buy on partner site" links and language switching.
router.get('/out', (req, res) => {
  const target = req.query.url;
  res.set('Cache-Control', 'no-store');
  // vuln: CWE-601
  res.redirect(302, target);
});

router.get('/events/:id/buy', (req, res) => {
  const qty = Number.parseInt(req.query.qty, 10) || 1;
  // safe: CWE-601
  res.redirect(`/checkout/${encodeURIComponent(req.params.id)}?qty=${qty}`);
});

router.post('/locale', express.urlencoded({ extended: false }), (req, res) => {
  const back = req.body.back || req.get('Referer') || '/';
  res.cookie('locale', req.body.locale === 'fr' ? 'fr' : 'en', { httpOnly: true, secure: true, sameSite: 'lax' });
  // vuln: CWE-601
  res.location(back).sendStatus(303);
});

module.exports = router;
