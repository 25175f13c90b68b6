// Landlord portal integrations: SSO (OIDC / SAML), partner webhooks,
// credit-check bureau, listing photo import and geocoding.

import express, { Request, Response, NextFunction, Router } from 'express';
import axios from 'axios';
import fetch from 'node-fetch';
import http from 'http';
import https from 'https';
import fs from 'fs';
import jwt from 'jsonwebtoken';
import Stripe from 'stripe';
import config from 'config';
import { Octokit } from '@octokit/rest';
import { db } from './db';

const router: Router = express.Router();

const APP_ORIGIN = 'https://portal.rentals.example';
const CREDIT_BUREAU_BASE = 'https://api.creditcheck-bureau.example/v2';
const GEOCODER_BASE = 'https://geocode.maps-provider.example/v1';

const WEBHOOK_ALLOWED_SUFFIXES = ['.rentals-partners.example', '.zapier.com', '.hooks.slack.com'];
const PHOTO_CDN_HOSTS = new Set(['images.listing-cdn.example', 'photos.partner-mls.example']);

const IDP_METADATA: Record<string, string> = {
  okta: 'https://rentals.okta.com/.well-known/openid-configuration',
  azure: 'https://login.microsoftonline.com/rentals.example/v2.0/.well-known/openid-configuration',
  google: 'https://accounts.google.com/.well-known/openid-configuration',
};

const POST_LOGIN_DESTINATIONS: Record<string, string> = {
  dashboard: '/portal/dashboard',
  listings: '/portal/listings',
  applications: '/portal/applications',
  maintenance: '/portal/maintenance',
};

interface Partner {
  id: string;
  name: string;
  redirectUris: string[];
  webhookUrl?: string;
}

// ---------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------

// vuln: CWE-798
const stripeLegacy = new Stripe('sk_live_51MzQpLKg7Hc2VdRt9XwYb3NfAeU0jTqS8mZxC4vBn6LrPo1kD5sGhW2yE7iJ0aQ', { apiVersion: '2023-10-16' });

// safe: CWE-798
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY as string, { apiVersion: '2023-10-16' });

// vuln: CWE-798
const SSO_JWT_SECRET = 'r3ntals-portal-sso-signing-secret-Zq8!vL2#pW9x';

// safe: CWE-798
const ssoJwtSecret: string = config.get<string>('sso.jwtSigningSecret');

// vuln: CWE-798
const SAML_SIGNING_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvQ3Zx8u2H5kPqLm7RjW9tYc4NfE1aSdG6hBvXo0iKpTzU3Ly\nw2bNcMeQ7rD5sF8gHjK1lP4oI9uY6tR3eW0qA2zX5cV7bN1mQ8kJ4hG6fD9sL2a\n-----END RSA PRIVATE KEY-----\n';

// safe: CWE-798
const samlSigningKey = fs.readFileSync(process.env.SAML_SIGNING_KEY_PATH || '/run/secrets/saml-signing-key.pem', 'utf8');

// vuln: CWE-798
const feedMirror = new Octokit({ auth: 'ghp_R7kX2mPqL9vT4nW8sYb3HcJ6dF1gZ5aE0uQi' });

// safe: CWE-798
const feedMirrorV2 = new Octokit({ auth: process.env.FEED_MIRROR_GITHUB_TOKEN });

export function issuePortalToken(landlordId: string, legacy = false): string {
  return jwt.sign({ sub: landlordId, aud: 'landlord-portal' }, legacy ? SSO_JWT_SECRET : ssoJwtSecret, { expiresIn: '1h' });
}

// ---------------------------------------------------------------------------
// SSO
// ---------------------------------------------------------------------------

router.get('/sso/discover', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const idpHost = String(req.query.idpHost);
    // vuln: CWE-918
    const metadata = await fetch(`https://${idpHost}/.well-known/openid-configuration`).then((r) => r.json());
    res.json({ authorization_endpoint: (metadata as any).authorization_endpoint });
  } catch (err) {
    next(err);
  }
});

router.get('/sso/discover/v2', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const metadataUrl = IDP_METADATA[String(req.query.idp)];
    if (!metadataUrl) return res.status(400).json({ error: 'unknown identity provider' });
    // safe: CWE-918
    const metadata = await fetch(metadataUrl).then((r) => r.json());
    res.json({ authorization_endpoint: (metadata as any).authorization_endpoint });
  } catch (err) {
    next(err);
  }
});

router.get('/sso/callback', async (req: Request, res: Response) => {
  const landlord = await db.landlords.fromOidcCode(String(req.query.code));
  (req.session as any).landlordId = landlord.id;
  const returnTo = req.query.returnTo as string;
  // vuln: CWE-601
  res.redirect(returnTo || '/portal/dashboard');
});

router.get('/sso/callback/v2', async (req: Request, res: Response) => {
  const landlord = await db.landlords.fromOidcCode(String(req.query.code));
  (req.session as any).landlordId = landlord.id;
  // safe: CWE-601
  res.redirect(POST_LOGIN_DESTINATIONS[String(req.query.to)] || '/portal/dashboard');
});

router.post('/sso/saml/acs', express.urlencoded({ extended: false }), async (req: Request, res: Response) => {
  const landlord = await db.landlords.fromSamlResponse(req.body.SAMLResponse, samlSigningKey);
  (req.session as any).landlordId = landlord.id;
  // vuln: CWE-601
  res.redirect(302, req.body.RelayState);
});

function safeRelativeTarget(target: string | undefined): string {
  if (!target) return '/portal/dashboard';
  try {
    const url = new URL(target, APP_ORIGIN);
    return url.origin === APP_ORIGIN ? url.pathname + url.search : '/portal/dashboard';
  } catch {
    return '/portal/dashboard';
  }
}

router.post('/sso/saml/acs/v2', express.urlencoded({ extended: false }), async (req: Request, res: Response) => {
  const landlord = await db.landlords.fromSamlResponse(req.body.SAMLResponse, samlSigningKey);
  (req.session as any).landlordId = landlord.id;
  // safe: CWE-601
  res.redirect(302, safeRelativeTarget(req.body.RelayState));
});

router.get('/logout', (req: Request, res: Response) => {
  const next = String(req.query.next || '/');
  req.session.destroy(() => {
    if (next.startsWith('/')) {
      // vuln: CWE-601
      return res.redirect(next);
    }
    res.redirect('/');
  });
});

router.get('/logout/v2', (req: Request, res: Response) => {
  const next = String(req.query.next || '/');
  req.session.destroy(() => {
    if (/^\/(?![/\\])[\w\-/]*$/.test(next)) {
      // safe: CWE-601
      return res.redirect(next);
    }
    res.redirect('/');
  });
});

// ---------------------------------------------------------------------------
// Partner OAuth (listing syndication partners connect to a landlord account)
// ---------------------------------------------------------------------------

router.get('/oauth/authorize', async (req: Request, res: Response) => {
  const partner: Partner = await db.partners.findById(String(req.query.client_id));
  const code = await db.oauthCodes.issue(partner.id, (req.session as any).landlordId);
  const redirectUri = `${req.query.redirect_uri}?code=${code}&state=${encodeURIComponent(String(req.query.state || ''))}`;
  // vuln: CWE-601
  res.writeHead(302, { Location: redirectUri });
  res.end();
});

router.get('/oauth/v2/authorize', async (req: Request, res: Response) => {
  const partner: Partner = await db.partners.findById(String(req.query.client_id));
  const requested = String(req.query.redirect_uri);
  if (!partner || !partner.redirectUris.includes(requested)) {
    return res.status(400).send('redirect_uri is not registered for this client');
  }
  const code = await db.oauthCodes.issue(partner.id, (req.session as any).landlordId);
  const redirectUri = `${requested}?code=${code}&state=${encodeURIComponent(String(req.query.state || ''))}`;
  // safe: CWE-601
  res.writeHead(302, { Location: redirectUri });
  res.end();
});

router.get('/portal/switch', (req: Request, res: Response) => {
  const portal = req.get('X-Portal-Base') || String(req.query.portal);
  // vuln: CWE-601
  res.redirect(`${portal}/dashboard`);
});

router.get('/portal/home', (req: Request, res: Response) => {
  // safe: CWE-601
  res.redirect('/portal/dashboard');
});

// ---------------------------------------------------------------------------
// Partner webhooks
// ---------------------------------------------------------------------------

function isAllowedWebhook(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && WEBHOOK_ALLOWED_SUFFIXES.some((s) => url.hostname.endsWith(s));
}

router.post('/partners/:partnerId/webhooks/test', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const { callbackUrl } = req.body;
    // vuln: CWE-918
    const resp = await fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'ping' }) });
    res.json({ status: resp.status, body: await resp.text() });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/webhooks/v2/test', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const callbackUrl = String(req.body.callbackUrl);
    if (!isAllowedWebhook(callbackUrl)) return res.status(400).json({ error: 'webhook host not allowed' });
    // safe: CWE-918
    const resp = await fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'ping' }), redirect: 'manual' });
    res.json({ status: resp.status });
  } catch (err) {
    next(err);
  }
});

router.post('/partners/:partnerId/feed/preview', (req: Request, res: Response) => {
  const feedUrl: string = req.body.feedUrl;
  const client = feedUrl.startsWith('https:') ? https : http;
  // vuln: CWE-918
  client.get(feedUrl, (upstream) => {
    res.status(upstream.statusCode || 502);
    upstream.pipe(res);
  }).on('error', () => res.sendStatus(502));
});

// ---------------------------------------------------------------------------
// Credit checks
// ---------------------------------------------------------------------------

class CreditBureauClient {
  constructor(private readonly baseUrl: string, private readonly apiKey: string) {}

  async report(applicantRef: string) {
    // vuln: CWE-918
    const { data } = await axios.get(`${this.baseUrl}/reports/${applicantRef}`, { headers: { 'X-Api-Key': this.apiKey }, timeout: 10000 });
    return data;
  }
}

router.post('/screening/:applicationId/credit-check', async (req: Request, res: Response, next: NextFunction) => {
  try {
    // Landlords on the enterprise plan can point at their own bureau
    const bureau = new CreditBureauClient(req.body.bureauUrl || CREDIT_BUREAU_BASE, process.env.CREDIT_BUREAU_API_KEY as string);
    res.json(await bureau.report(req.params.applicationId));
  } catch (err) {
    next(err);
  }
});

router.post('/screening/:applicationId/credit-check/v2', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const applicantRef = encodeURIComponent(req.params.applicationId);
    // safe: CWE-918
    const { data } = await axios.get(`${CREDIT_BUREAU_BASE}/reports/${applicantRef}`, { headers: { 'X-Api-Key': process.env.CREDIT_BUREAU_API_KEY as string }, timeout: 10000 });
    res.json(data);
  } catch (err) {
    next(err);
  }
});

// ---------------------------------------------------------------------------
// Listing photo import and geocoding
// ---------------------------------------------------------------------------

router.post('/listings/:listingId/photos/import', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const imageUrl = req.query.imageUrl as string;
    // vuln: CWE-918
    const image = await axios.get<ArrayBuffer>(imageUrl, { responseType: 'arraybuffer', maxContentLength: 10 * 1024 * 1024 });
    await db.photos.store(req.params.listingId, Buffer.from(image.data));
    res.sendStatus(201);
  } catch (err) {
    next(err);
  }
});

router.post('/listings/:listingId/photos/v2/import', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const imageUrl = new URL(String(req.query.imageUrl));
    if (imageUrl.protocol !== 'https:' || !PHOTO_CDN_HOSTS.has(imageUrl.hostname)) return res.sendStatus(400);
    // safe: CWE-918
    const image = await axios.get<ArrayBuffer>(imageUrl.toString(), { responseType: 'arraybuffer', maxContentLength: 10 * 1024 * 1024, maxRedirects: 0 });
    await db.photos.store(req.params.listingId, Buffer.from(image.data));
    res.sendStatus(201);
  } catch (err) {
    next(err);
  }
});

router.get('/geocode', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const address = String(req.query.address || '');
    // safe: CWE-918
    const resp = await fetch(`${GEOCODER_BASE}/search?q=${encodeURIComponent(address)}&limit=1`, { headers: { Authorization: `Bearer ${process.env.GEOCODER_TOKEN}` } });
    res.json(await resp.json());
  } catch (err) {
    next(err);
  }
});

router.get('/geocode/custom', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const provider = req.get('X-Geocoder-Url') || GEOCODER_BASE;
    const address = String(req.query.address || '');
    // vuln: CWE-918
    const resp = await axios({ method: 'get', url: provider + '/search', params: { q: address, limit: 1 } });
    res.json(resp.data);
  } catch (err) {
    next(err);
  }
});

export async function publishFeedSnapshot(json: string, legacy = false): Promise<void> {
  const client = legacy ? feedMirror : feedMirrorV2;
  await client.repos.createOrUpdateFileContents({
    owner: 'rentals-example',
    repo: 'syndication-feed',
    path: 'feed.json',
    message: 'Update syndication feed',
    content: Buffer.from(json).toString('base64'),
  });
}

export { stripe, stripeLegacy };
export default router;
