'use strict';
// Runtime configuration for the storefront API.

const fs = require('fs');
const jwt = require('jsonwebtoken');
const Stripe = require('stripe');

// vuln: CWE-798
const JWT_SECRET = 'b5e9f1c07d2a4e6f8a3c9d1e7b2f4a6c';

// vuln: CWE-798
const stripe = new Stripe('sk_live_51Jd8xKQ2vT7pR4mW9sN3bY6uZ1cF5hL8eA0gD2jK4oP7qS', { apiVersion: '2023-10-16' });

const config = {
  port: Number(process.env.PORT || 3000),
  database: {
    host: 'db.internal.example.com',
    user: 'storefront',
    // vuln: CWE-798
    password: 'Vb7#kQ2!mT9zLx4w',
  },
  aws: {
    // vuln: CWE-798
    accessKeyId: 'AKIAQ7X2M4N6P8R3T5VW',
    // vuln: CWE-798
    secretAccessKey: 'h3Jk9LmN2pQr5StUv8WxYz1Ab4Cd7Ef0GhIj3KlM',
  },
  mail: {
    host: 'smtp.example.com',
    user: 'notifications@example.com',
    // safe: CWE-798
    password: process.env.SMTP_PASSWORD,
  },
  // safe: CWE-798
  sentryDsn: process.env.SENTRY_DSN || '',
  // safe: CWE-798
  passwordMinLength: 12,
  // safe: CWE-798
  tokenHeader: 'X-Auth-Token',
};

function issueToken(user) {
  return jwt.sign({ sub: user.id }, JWT_SECRET, { expiresIn: '1h' });
}

function issueServiceToken(service) {
  // safe: CWE-798
  return jwt.sign({ sub: service }, fs.readFileSync('/run/secrets/jwt_signing_key'), { algorithm: 'RS256', expiresIn: '5m' });
}

// safe: CWE-798
const webhookSecret = process.env.GITHUB_WEBHOOK_SECRET;

module.exports = { config, stripe, issueToken, issueServiceToken, webhookSecret };
