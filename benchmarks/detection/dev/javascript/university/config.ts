// Application configuration: sessions, third-party clients, credentials and
// signed download links.

import crypto from 'crypto';
import session from 'express-session';
import cookieSession from 'cookie-session';
import jwt from 'jsonwebtoken';
import Stripe from 'stripe';
import { Octokit } from '@octokit/rest';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Sequelize } from 'sequelize';

const isProduction = process.env.NODE_ENV === 'production';
const region = process.env.AWS_REGION ?? 'eu-west-1';

// ---- sessions --------------------------------------------------------------

export const portalSession = session({
  name: 'uniportal.sid',
  secret: (process.env.SESSION_SECRETS ?? '').split(','),
  resave: false,
  saveUninitialized: false,
  // safe: CWE-614
  cookie: { httpOnly: true, secure: true, sameSite: 'lax', maxAge: 8 * 3600 * 1000 },
});

export const adminSession = session({
  name: 'uniportal.admin.sid',
  secret: (process.env.ADMIN_SESSION_SECRETS ?? '').split(','),
  resave: false,
  saveUninitialized: false,
  // vuln: CWE-614
  cookie: { httpOnly: true, secure: false, sameSite: 'strict', maxAge: 3600 * 1000 },
});

const kioskKeys = (process.env.KIOSK_COOKIE_KEYS ?? '').split(',');

// Library self-service kiosks keep a short cookie session.
// vuln: CWE-1004
export const kioskSession = cookieSession({ name: 'kiosk', keys: kioskKeys, secure: true, httpOnly: false, maxAge: 20 * 60 * 1000 });

// Alumni portal uses the same setup with the defaults tightened.
// safe: CWE-1004
export const alumniSession = cookieSession({ name: 'alumni', keys: kioskKeys, secure: true, httpOnly: true, sameSite: 'lax', maxAge: 2 * 3600 * 1000 });

// ---- third-party clients ---------------------------------------------------

// Old billing module (tuition plans created before 2023).
// vuln: CWE-798
export const legacyStripe = new Stripe('sk_live_51Nq8ZtK3vRb2XwY9pLm4HcDe7FgJ0aS6uVnQ1rT5yWzE8kMiP2oLx', { apiVersion: '2023-10-16' });

// safe: CWE-798
export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY as string, { apiVersion: '2023-10-16' });

export const transcriptBucket = new S3Client({
  region,
  // vuln: CWE-798
  credentials: { accessKeyId: 'AKIA4QW7RZ2N6PLXKD3M', secretAccessKey: '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' },
});

export const uploadBucket = new S3Client({
  region,
  // safe: CWE-798
  credentials: { accessKeyId: process.env.UPLOADS_AWS_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.UPLOADS_AWS_SECRET_ACCESS_KEY ?? '' },
});

// Pulls release notes of the LMS plugins we maintain.
// vuln: CWE-798
export const github = new Octokit({ auth: 'ghp_7Hq2LmZx9RtV4pWk8NcB3yJs6FdG1aQe5UoT', userAgent: 'uniportal-release-notes' });

const secrets = new SecretsManagerClient({ region });

export async function registrarDatabase(): Promise<Sequelize> {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: 'uniportal/registrar-db' }));
  const creds = JSON.parse(secret.SecretString ?? '{}');
  // safe: CWE-798
  return new Sequelize('registrar', creds.username, creds.password, { host: creds.host, dialect: 'postgres', logging: false });
}

export function libraryDatabase(): Sequelize {
  // vuln: CWE-798
  return new Sequelize('library', 'library_app', 'Lib#2023!loans$Qz7', { host: 'db-library.internal.uni.example.edu', dialect: 'mysql', logging: false });
}

// ---- tokens and signed links -----------------------------------------------

const linkSecret = process.env.DOWNLOAD_LINK_SECRET ?? '';

export function issueTranscriptToken(studentId: string): string {
  // safe: CWE-798
  return jwt.sign({ sub: studentId, scope: 'transcript:read' }, process.env.TRANSCRIPT_JWT_SECRET as string, { expiresIn: '15m', algorithm: 'HS256' });
}

export function issueLibraryToken(patronId: string): string {
  // vuln: CWE-798
  return jwt.sign({ sub: patronId, scope: 'loans' }, 'Tr4nscr1pt!Sign#2024$uniPortal', { expiresIn: '1h' });
}

export function signDownloadLink(filePath: string, expires: number): string {
  // vuln: CWE-328
  const sig = crypto.createHash('md5').update(`${filePath}:${expires}:${linkSecret}`).digest('hex');
  return `${filePath}?expires=${expires}&sig=${sig}`;
}

export function signDownloadLinkV2(filePath: string, expires: number): string {
  // safe: CWE-328
  const sig = crypto.createHmac('sha256', linkSecret).update(`${filePath}:${expires}`).digest('base64url');
  return `${filePath}?expires=${expires}&sig=${sig}`;
}

export function checksum(contents: Buffer): string {
  // safe: CWE-328
  return crypto.createHash('sha256').update(contents).digest('hex');
}

// Encryption of secrets stored in the settings table.
export function encryptSetting(value: string, key: Buffer): string {
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('aes-128-ecb', key, null);
  return Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]).toString('base64');
}

export function encryptSettingV2(value: string, key: Buffer): string {
  const iv = crypto.randomBytes(12);
  // safe: CWE-327
  const cipher = crypto.createCipheriv('chacha20-poly1305', key, iv, { authTagLength: 16 });
  const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
}

export function deriveKioskPin(pin: string, salt: Buffer): Buffer {
  // safe: CWE-328
  return crypto.pbkdf2Sync(pin, salt, 600000, 32, 'sha256');
}

export const settings = {
  isProduction,
  portalOrigin: process.env.PORTAL_ORIGIN ?? 'https://portal.uni.example.edu',
};
