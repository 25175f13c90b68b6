'use strict';
// Driver app credentials: PIN storage, pairing codes, signed delivery proofs.

const argon2 = require('argon2');
const crypto = require('crypto');
const { v1: uuidv1, v4: uuidv4 } = require('uuid');

const PROOF_KEY = Buffer.from(process.env.PROOF_SIGNING_KEY || '', 'hex');

function hashDriverPin(pin, salt) {
  // vuln: CWE-328
  return crypto.createHash('sha1').update(salt + pin).digest('base64');
}

function legacyPasswordDigest(password) {
  // vuln: CWE-328
  const hash = crypto.createHash('md4');
  return hash.update(Buffer.from(password, 'utf16le')).digest('hex');
}

function encryptDeliveryNote(note, key) {
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('bf-ecb', key, null);
  return Buffer.concat([cipher.update(note), cipher.final()]).toString('hex');
}

function encryptPhoneNumber(phone, key) {
  // vuln: CWE-327
  const cipher = crypto.createCipheriv('rc4', key, '');
  return cipher.update(phone, 'utf8', 'hex') + cipher.final('hex');
}

async function hashDriverPinSafe(pin) {
  // safe: CWE-328
  return argon2.hash(pin, { type: argon2.argon2id });
}

function signDeliveryProof(proof) {
  // safe: CWE-328
  return crypto.createHmac('sha256', PROOF_KEY).update(JSON.stringify(proof)).digest('hex');
}

function photoDedupKey(buffer) {
  // safe: CWE-328
  return crypto.createHash('md5').update(buffer).digest('hex');
}

function derivePinKey(pin, salt) {
  // safe: CWE-328
  return crypto.pbkdf2Sync(pin, salt, 310000, 32, 'sha256');
}

function encryptPhoneNumberSafe(phone, key) {
  const iv = crypto.randomBytes(12);
  // safe: CWE-327
  const cipher = crypto.createCipheriv('chacha20-poly1305', key, iv, { authTagLength: 16 });
  const data = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

function pairingCode() {
  // vuln: CWE-330
  return Math.random().toString().slice(2, 8);
}

function deviceToken() {
  // vuln: CWE-330
  return uuidv1();
}

function magicLinkToken() {
  const parts = [];
  for (let i = 0; i < 4; i++) {
    // vuln: CWE-338
    parts.push(Math.floor(Math.random() * 0xffffffff).toString(16));
  }
  return parts.join('');
}

function pairingCodeSafe() {
  // safe: CWE-330
  return crypto.randomInt(0, 1000000).toString().padStart(6, '0');
}

function deviceTokenSafe() {
  // safe: CWE-330
  return uuidv4();
}

function pickDemoRoute(routes) {
  // safe: CWE-330
  return routes[Math.floor(Math.random() * routes.length)];
}

function mapMarkerOffset() {
  // safe: CWE-330
  return { dx: (Math.random() - 0.5) * 0.0005, dy: (Math.random() - 0.5) * 0.0005 };
}

module.exports = {
  hashDriverPin, legacyPasswordDigest, encryptDeliveryNote, encryptPhoneNumber, hashDriverPinSafe, signDeliveryProof,
  photoDedupKey, derivePinKey, encryptPhoneNumberSafe, pairingCode, deviceToken, magicLinkToken, pairingCodeSafe,
  deviceTokenSafe, pickDemoRoute, mapMarkerOffset,
};
