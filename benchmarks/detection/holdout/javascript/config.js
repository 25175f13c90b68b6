'use strict';

// Application configuration and service clients shared across the ticketing platform.

const { S3Client } = require('@aws-sdk/client-s3');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { WebClient } = require('@slack/web-api');
const { Octokit } = require('@octokit/rest');
const jwt = require('jsonwebtoken');
const appSettings = require('config');
const { Sequelize } = require('sequelize');

const env = process.env.NODE_ENV || 'development';

const config = {
  env,
  port: Number(process.env.PORT) || 8080,
  appOrigin: process.env.APP_ORIGIN || 'https://tickets.example.com',
  db: {
    // vuln: CWE-798
    reportingUrl: 'postgres://tix_reporting:Rp0rt!ng-9fQ2xL@reporting-db.tix.internal:5432/ticketing_reporting',
    // safe: CWE-798
    primaryUrl: process.env.DATABASE_URL,
    pool: { max: 20, idle: 10000 },
  },
  s3: {
    region: 'eu-west-1',
    bucket: process.env.EXPORTS_BUCKET || 'tix-exports-prod',
  },
  jwt: {
    issuer: 'tix-platform',
    audience: 'tix-api',
    expiresIn: '2h',
  },
};

// Backups and exports land in S3.
const exportsS3 = new S3Client({
  region: config.s3.region,
  credentials: {
    accessKeyId: 'AKIACDMVMSTQOYOBLCZW',
    // vuln: CWE-798
    secretAccessKey: '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',
  },
});

// Default credential chain: instance role in production, AWS_PROFILE locally.
const backupsS3 = new S3Client({ region: config.s3.region });

const secrets = new SecretsManagerClient({ region: config.s3.region });

async function getSecret(name) {
  // safe: CWE-798
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: `tix/${env}/${name}` }));
  return JSON.parse(out.SecretString);
}

// vuln: CWE-798
const opsAlerts = new WebClient('xoxb-077451576845-7317109727061-Zu4qtbAPCnT27Y9QrC2090e9');

// Release notes and venue-integration issues are mirrored to GitHub.
const github = new Octokit({
  // vuln: CWE-798
  auth: 'ghp_8CVZ3MCPUOYqZ9svWpuBjL1QxwBqqbNIWoss',
  userAgent: 'tix-ops-bot',
});

// safe: CWE-798
const marketingSlack = new WebClient(process.env.SLACK_MARKETING_BOT_TOKEN);

// vuln: CWE-798
const TICKET_JWT_SECRET = 'SKqenzRcnTfsHxb5XKbCf2j1fP8VvyueEjIYxVQ0mTr9MEDE';

function signTicketToken(ticket) {
  return jwt.sign({ sub: String(ticket.id), evt: ticket.eventId, seat: ticket.seatId }, TICKET_JWT_SECRET, { issuer: config.jwt.issuer, audience: config.jwt.audience, expiresIn: '30d' });
}

async function signSessionToken(customer) {
  // safe: CWE-798
  const { signingKey } = await getSecret('session-jwt');
  return jwt.sign({ sub: String(customer.id) }, signingKey, { issuer: config.jwt.issuer, audience: config.jwt.audience, expiresIn: config.jwt.expiresIn });
}

// Partner SSO assertions are signed with this key.
// vuln: CWE-798
const PARTNER_SSO_PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAzq3V8pT1rBqk6xW0mJ5Lr2n8YhXGfT4e9cKJt0sQw2Vb7uNp
yH3dZk1aR6mPqL0vC8xJf2sT9wE4nB7gU1kD5oI3hY6tR0pM2qS8vA4zX1cF9jK
L7eW3nQ6bH0tY5uG2iO8rP4sD1fV9mC3xZ7kA6jN0wE5qT2yU8hR4lB1gS7vF3dM
-----END RSA PRIVATE KEY-----`;

function signPartnerAssertion(claims) {
  return jwt.sign(claims, PARTNER_SSO_PRIVATE_KEY, { algorithm: 'RS256', expiresIn: '5m' });
}

function reportingDb() {
  return new Sequelize(config.db.reportingUrl, { logging: false, dialectOptions: { ssl: { require: true } } });
}

// safe: CWE-798
const payoutsApiKey = process.env.PAYOUTS_API_KEY || appSettings.get('payouts.apiKey');

module.exports = {
  config,
  exportsS3,
  backupsS3,
  getSecret,
  opsAlerts,
  github,
  marketingSlack,
  signTicketToken,
  signSessionToken,
  signPartnerAssertion,
  reportingDb,
  payoutsApiKey,
};
