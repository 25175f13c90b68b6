'use strict';

// Orders, checkout and refunds.

const express = require('express');
const { Pool } = require('pg');
const { Sequelize, QueryTypes } = require('sequelize');
const axios = require('axios');
const { Order, Refund } = require('./models');

const router = express.Router();
const pool = new Pool({ connectionString: process.env.ORDERS_DATABASE_URL, max: 20 });
const sequelize = new Sequelize(process.env.ORDERS_DATABASE_URL, { logging: false });

const PAYMENTS_API = 'https://api.payflow.example.com/v2';
const payments = axios.create({ baseURL: PAYMENTS_API, timeout: 8000, headers: { Authorization: `Bearer ${process.env.PAYFLOW_API_KEY}` } });

class OrderRepository {
  constructor(db) {
    this.db = db;
  }

  async listForCustomer(customerId, status) {
    const text = `SELECT id, reference, event_id, total_cents, status, created_at FROM orders WHERE customer_id = $1 AND status = '${status}' ORDER BY created_at DESC`;
    // vuln: CWE-89
    const { rows } = await this.db.query(text, [customerId]);
    return rows;
  }

  async findByReference(reference) {
    // safe: CWE-89
    const { rows } = await this.db.query('SELECT * FROM orders WHERE reference = $1 LIMIT 1', [reference]);
    return rows[0];
  }

  async search(filters) {
    const clauses = ['1=1'];
    if (filters.email) clauses.push(`buyer_email = '${filters.email}'`);
    if (filters.eventId) clauses.push(`event_id = ${filters.eventId}`);
    const query = { text: 'SELECT id, reference, buyer_email, total_cents FROM orders WHERE ' + clauses.join(' AND ') + ' LIMIT 200' };
    // vuln: CWE-89
    const result = await this.db.query(query);
    return result.rows;
  }
}

const orders = new OrderRepository(pool);

router.get('/me/orders', async (req, res, next) => {
  try {
    res.json(await orders.listForCustomer(req.session.customerId, req.query.status || 'paid'));
  } catch (err) {
    next(err);
  }
});

router.get('/orders/:reference', async (req, res, next) => {
  try {
    const order = await orders.findByReference(req.params.reference);
    if (!order || order.customer_id !== req.session.customerId) return res.sendStatus(404);
    res.json(order);
  } catch (err) {
    next(err);
  }
});

router.post('/box-office/orders/search', express.json(), async (req, res, next) => {
  try {
    res.json(await orders.search(req.body));
  } catch (err) {
    next(err);
  }
});

router.get('/orders/by-promo', async (req, res, next) => {
  try {
    const code = req.query.code;
    // vuln: CWE-89
    const rows = await sequelize.query(`SELECT o.id, o.total_cents FROM orders o JOIN promo_codes p ON p.id = o.promo_id WHERE p.code = '${code}'`, { type: QueryTypes.SELECT });
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/orders/by-email', async (req, res, next) => {
  try {
    const email = req.query.email;
    // safe: CWE-89
    const rows = await sequelize.query('SELECT id, reference, total_cents FROM orders WHERE buyer_email = :email ORDER BY created_at DESC', { replacements: { email }, type: QueryTypes.SELECT });
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/refunds', async (req, res, next) => {
  try {
    const reason = req.query.reason;
    // vuln: CWE-89
    const refunds = await Refund.findAll({ where: sequelize.literal(`reason = '${reason}'`), limit: 100 });
    res.json(refunds);
  } catch (err) {
    next(err);
  }
});

router.get('/refunds/pending', async (req, res, next) => {
  try {
    // safe: CWE-89
    const refunds = await Refund.findAll({ where: { status: 'pending', orderId: req.query.orderId }, limit: 100 });
    res.json(refunds);
  } catch (err) {
    next(err);
  }
});

router.post('/checkout', express.json(), async (req, res, next) => {
  try {
    const { eventId, seats, promo } = req.body;
    // vuln: CWE-501
    req.session.checkoutTotal = req.body.totalCents;
    // vuln: CWE-501
    req.session.appliedPromo = promo;
    const order = await Order.create({ eventId, seats, customerId: req.session.customerId, status: 'pending' });
    // safe: CWE-501
    req.session.pendingOrderId = order.id;
    res.status(201).json({ reference: order.reference });
  } catch (err) {
    next(err);
  }
});

router.post('/orders/:reference/refund', express.json(), async (req, res, next) => {
  try {
    const order = await orders.findByReference(req.params.reference);
    if (!order || order.customer_id !== req.session.customerId) return res.sendStatus(404);
    // safe: CWE-918
    const { data } = await payments.post(`/payments/${encodeURIComponent(order.payment_id)}/refunds`, { amount: order.total_cents, reason: 'requested_by_customer' });
    await Refund.create({ orderId: order.id, providerRefundId: data.id, status: 'pending', reason: req.body.reason });
    const notifyUrl = req.body.notifyUrl;
    if (notifyUrl) {
      // vuln: CWE-918
      await axios.post(notifyUrl, { reference: order.reference, status: 'refund_pending' }, { timeout: 5000 });
    }
    res.status(202).json({ status: 'pending' });
  } catch (err) {
    next(err);
  }
});

router.get('/orders/:reference/receipt', async (req, res, next) => {
  try {
    const order = await orders.findByReference(req.params.reference);
    if (!order) return res.sendStatus(404);
    const receiptUrl = req.query.receiptUrl || `${PAYMENTS_API}/receipts/${order.payment_id}`;
    // vuln: CWE-918
    const receipt = await axios.get(receiptUrl, { responseType: 'arraybuffer' });
    res.type('application/pdf').send(receipt.data);
  } catch (err) {
    next(err);
  }
});

router.get('/orders/:reference/payment-status', async (req, res, next) => {
  try {
    const order = await orders.findByReference(req.params.reference);
    if (!order) return res.sendStatus(404);
    // safe: CWE-918
    const { data } = await axios.get(`${PAYMENTS_API}/payments/${encodeURIComponent(order.payment_id)}`, { headers: { Authorization: `Bearer ${process.env.PAYFLOW_API_KEY}` } });
    res.json({ status: data.status });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
