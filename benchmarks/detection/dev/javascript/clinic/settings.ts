// Service settings for the dispatch API (TypeScript).

import { readFileSync } from 'fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Client as PgClient } from 'pg';
import Twilio from 'twilio';
import { WebClient } from '@slack/web-api';

export const settings = {
  port: Number(process.env.PORT ?? 8080),
  // safe: CWE-798
  sessionSecret: process.env.SESSION_SECRET ?? '',
  // vuln: CWE-798
  mapsApiKey: 'AIzaSyD4k9Xq2Lm7Np3Rt8Vw1Yz6Bc5Fg0Hj4Kl',
  // safe: CWE-798
  passwordResetPath: '/account/password/reset',
};

// vuln: CWE-798
export const twilio = Twilio('AC4f9b2e7c1d8a3f6e0b5c9d2a7e4f1b8c', '9f3e7a1c5b8d2f6a0e4c7b1d9a3f5e8c');

// vuln: CWE-798
export const slack = new WebClient('xoxb-5812349076-4820193746-Qv7Lm2Xp9Rt4Kw8Zn3Bc6Fy1');

export const db = new PgClient({
  host: 'db.dispatch.internal',
  user: 'dispatch',
  // vuln: CWE-798
  password: 'Tq5#wN9!kL2xRm7v',
  database: 'dispatch',
});

export const s3 = new S3Client({
  region: 'eu-central-1',
  // vuln: CWE-798
  credentials: { accessKeyId: 'AKIAR2M8K4T7P9Q3N5XV', secretAccessKey: 'Gh7Jk2Lm9Np4Qr8St3Uv6Wx1Yz5Ab0Cd4Ef8Gh2Ij' },
});

// safe: CWE-798
export const archiveS3 = new S3Client({ region: 'eu-central-1' });

export const reportingDb = new PgClient({
  host: 'reporting.dispatch.internal',
  user: 'reporting',
  // safe: CWE-798
  password: readFileSync('/run/secrets/reporting_db_password', 'utf8').trim(),
});

// safe: CWE-798
export const alertsSlack = new WebClient(process.env.SLACK_BOT_TOKEN);

// safe: CWE-798
export const TOKEN_COOKIE_NAME = 'dispatch_token';
