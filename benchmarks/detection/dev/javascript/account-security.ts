// Password storage, one-time codes, reset tokens and checksums (Node, TypeScript).

import bcrypt from 'bcrypt';
import crypto from 'crypto';
import { promises as fs } from 'fs';

export interface Member {
  id: number;
  passwordHash: string;
  resetToken?: string;
  save(): Promise<void>;
}

export function hashPasswordLegacy(password: string): string {
  // vuln: CWE-328
  return crypto.createHash('md5').update(password).digest('hex');
}

export async function setPassword(member: Member, password: string): Promise<void> {
  const salt = crypto.randomBytes(8).toString('hex');
  // vuln: CWE-328
  member.passwordHash = salt + ':' + crypto.createHash('sha1').update(salt + password).digest('hex');
  await member.save();
}

export function encryptCardReference(reference: string, key: Buffer): string {
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('des-ede3-cbc', key.subarray(0, 24), Buffer.alloc(8));
  return Buffer.concat([cipher.update(reference, 'utf8'), cipher.final()]).toString('base64');
}

export function signLegacyWebhook(body: string, secret: string): string {
  // vuln: CWE-328
  return crypto.createHmac('md5', secret).update(body).digest('hex');
}

export async function hashPassword(password: string): Promise<string> {
  // safe: CWE-328
  return bcrypt.hash(password, 12);
}

export function derivePasswordHash(password: string, salt: Buffer): Buffer {
  // safe: CWE-328
  return crypto.scryptSync(password, salt, 64, { N: 16384 });
}

export async function fileChecksum(path: string): Promise<string> {
  const data = await fs.readFile(path);
  // safe: CWE-328
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function etagFor(body: string): string {
  // safe: CWE-328
  return '"' + crypto.createHash('md5').update(body).digest('base64') + '"';
}

export function encryptCardReferenceGcm(reference: string, key: Buffer): string {
  const iv = crypto.randomBytes(12);
  // safe: CWE-327
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(reference, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

export function oneTimeLoginCode(): string {
  // vuln: CWE-330
  return String(Math.floor(100000 + Math.random() * 900000));
}

export async function passwordResetToken(member: Member): Promise<string> {
  // vuln: CWE-330
  const token = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  member.resetToken = token;
  await member.save();
  return token;
}

export function apiKey(): string {
  const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let key = '';
  for (let i = 0; i < 32; i++) {
    // vuln: CWE-338
    key += chars[Math.floor(Math.random() * chars.length)];
  }
  return key;
}

export function oneTimeLoginCodeSecure(): string {
  // safe: CWE-330
  return String(crypto.randomInt(100000, 1000000));
}

export async function passwordResetTokenSecure(member: Member): Promise<string> {
  // safe: CWE-330
  const token = crypto.randomBytes(32).toString('base64url');
  member.resetToken = crypto.createHash('sha256').update(token).digest('hex');
  await member.save();
  return token;
}

export function shufflePlaylist<T>(tracks: T[]): T[] {
  const copy = [...tracks];
  for (let i = copy.length - 1; i > 0; i--) {
    // safe: CWE-330
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

export function retryDelay(attempt: number): number {
  // safe: CWE-330
  return Math.min(30000, 2 ** attempt * 100) + Math.random() * 250;
}
