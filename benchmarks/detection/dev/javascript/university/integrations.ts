// LMS and SSO integrations: LMS connections, avatar proxy, webhooks, SAML single sign-on.

import express, { Router, Request, Response, NextFunction } from 'express';
import crypto from 'crypto';
import axios from 'axios';
import got from 'got';
import libxmljs from 'libxmljs2';
import { XMLParser } from 'fast-xml-parser';

declare module 'express-session' {
  interface SessionData {
    oidcState: string;
  }
}

const router = Router();

const LMS_BASE = 'https://canvas.uni.example.edu';
const PORTAL_ORIGIN = 'https://portal.uni.example.edu';
// vuln: CWE-798
const LTI_SHARED_SECRET = 'f3Kq9#Lw2$Vx7pR!m8Tz4Bn6Yc1@Hd5J';
// safe: CWE-798
const LMS_API_TOKEN: string = process.env.CANVAS_API_TOKEN ?? '';

const IDP_METADATA: Record<string, string> = {
  main: 'https://idp.uni.example.edu/idp/shibboleth',
  library: 'https://sso.library.uni.example.edu/saml/metadata',
  medical: 'https://login.med.uni.example.edu/FederationMetadata/2007-06/FederationMetadata.xml',
};
const ALLOWED_HOOK_HOSTS = new Set(['hooks.slack.com', 'outlook.office.com', 'chat.uni.example.edu']);
const ALLOWED_LOGOUT_ORIGINS = new Set([PORTAL_ORIGIN, 'https://library.uni.example.edu', LMS_BASE]);

function isLocalPath(target: string): boolean {
  return target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\');
}

function assertionAttributes(doc: libxmljs.Document): Record<string, string> {
  const ns = { saml: 'urn:oasis:names:tc:SAML:2.0:assertion' };
  const attrs: Record<string, string> = {};
  for (const attr of doc.find('//saml:Attribute', ns)) {
    const el = attr as libxmljs.Element;
    attrs[el.attr('Name')?.value() ?? ''] = el.get('saml:AttributeValue', ns)?.text() ?? '';
  }
  return attrs;
}

export function ltiSecret(): string {
  return LTI_SHARED_SECRET;
}

// POST /lms/connect  { baseUrl, token }  -- instructors link their own LMS instance
router.post('/lms/connect', express.json(), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const { baseUrl, token } = req.body as { baseUrl: string; token: string };
    // vuln: CWE-918
    const profile = await axios.get(`${baseUrl}/api/v1/users/self`, { headers: { Authorization: `Bearer ${token}` }, timeout: 5000 });
    res.json({ connected: true, lmsUser: profile.data.name });
  } catch (err) {
    next(err);
  }
});

// GET /lms/courses/:courseId
router.get('/lms/courses/:courseId', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const courseId = Number.parseInt(req.params.courseId, 10);
    if (!Number.isInteger(courseId)) {
      res.sendStatus(400);
      return;
    }
    // safe: CWE-918
    const course = await axios.get(`${LMS_BASE}/api/v1/courses/${courseId}`, { headers: { Authorization: `Bearer ${LMS_API_TOKEN}` }, timeout: 5000 });
    res.json(course.data);
  } catch (err) {
    next(err);
  }
});

// GET /lms/avatar?src=https://...
router.get('/lms/avatar', async (req: Request, res: Response, next: NextFunction) => {
  try {
    // vuln: CWE-918
    const upstream = await fetch(String(req.query.src));
    res.type(upstream.headers.get('content-type') ?? 'image/png');
    res.send(Buffer.from(await upstream.arrayBuffer()));
  } catch (err) {
    next(err);
  }
});

// GET /lms/status
router.get('/lms/status', async (_req: Request, res: Response, next: NextFunction) => {
  try {
    // safe: CWE-918
    const upstream = await fetch('https://status.instructure.com/api/v2/status.json');
    res.json(await upstream.json());
  } catch (err) {
    next(err);
  }
});

// POST /webhooks/test  { callbackUrl }
router.post('/webhooks/test', express.json(), async (req: Request, res: Response, next: NextFunction) => {
  try {
    // vuln: CWE-918
    const reply = await got.post(req.body.callbackUrl, { json: { event: 'ping', source: 'uniportal' }, timeout: { request: 5000 } });
    res.json({ status: reply.statusCode });
  } catch (err) {
    next(err);
  }
});

// POST /webhooks/v2/test  { callbackUrl }
router.post('/webhooks/v2/test', express.json(), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const target = new URL(String(req.body.callbackUrl));
    if (target.protocol !== 'https:' || !ALLOWED_HOOK_HOSTS.has(target.hostname)) {
      res.status(400).json({ error: 'webhook host not allowed' });
      return;
    }
    // safe: CWE-918
    const reply = await got.post(target.toString(), { json: { event: 'ping', source: 'uniportal' }, timeout: { request: 5000 } });
    res.json({ status: reply.statusCode });
  } catch (err) {
    next(err);
  }
});

// GET /sso/metadata/refresh?metadataUrl=https://idp.partner.example/metadata
router.get('/sso/metadata/refresh', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const metadataUrl = req.query.metadataUrl as string;
    // vuln: CWE-918
    const metadata = await axios.get<string>(metadataUrl, { responseType: 'text', timeout: 10000 });
    res.type('application/xml').send(metadata.data);
  } catch (err) {
    next(err);
  }
});

// GET /sso/metadata/:idp/refresh
router.get('/sso/metadata/:idp/refresh', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const url = IDP_METADATA[req.params.idp];
    if (!url) {
      res.sendStatus(404);
      return;
    }
    // safe: CWE-918
    const metadata = await axios.get<string>(url, { responseType: 'text', timeout: 10000 });
    res.type('application/xml').send(metadata.data);
  } catch (err) {
    next(err);
  }
});

// POST /sso/saml/acs  (SAMLResponse form post from the IdP)
router.post('/sso/saml/acs', express.urlencoded({ extended: false, limit: '2mb' }), (req: Request, res: Response) => {
  const xml = Buffer.from(String(req.body.SAMLResponse), 'base64').toString('utf8');
  // vuln: CWE-611
  const doc = libxmljs.parseXml(xml, { noent: true, dtdload: true });
  const attrs = assertionAttributes(doc);
  req.session.regenerate(() => {
    res.json({ user: attrs['urn:oid:0.9.2342.19200300.100.1.1'] });
  });
});

// POST /sso/saml/v2/acs
router.post('/sso/saml/v2/acs', express.urlencoded({ extended: false, limit: '2mb' }), (req: Request, res: Response) => {
  const xml = Buffer.from(String(req.body.SAMLResponse), 'base64').toString('utf8');
  // safe: CWE-611
  const doc = libxmljs.parseXml(xml, { noent: false, dtdload: false, nonet: true });
  const attrs = assertionAttributes(doc);
  req.session.regenerate(() => {
    res.json({ user: attrs['urn:oid:0.9.2342.19200300.100.1.1'] });
  });
});

// POST /lti/launch  (LTI 1.1 launch with an XML outcome service descriptor)
router.post('/lti/launch', express.text({ type: 'application/xml' }), (req: Request, res: Response) => {
  // vuln: CWE-611
  const descriptor = libxmljs.parseXmlString(req.body, { noent: true });
  res.json({ outcomeUrl: descriptor.get('//outcome_service_url')?.text() });
});

// POST /lti/v2/launch
router.post('/lti/v2/launch', express.text({ type: 'application/xml' }), (req: Request, res: Response) => {
  // safe: CWE-611
  const descriptor = new XMLParser({ ignoreAttributes: false, processEntities: false }).parse(req.body);
  res.json({ outcomeUrl: descriptor?.launch?.outcome_service_url });
});

// GET /sso/oidc/login  (staff sign-in through the Microsoft tenant)
router.get('/sso/oidc/login', (req: Request, res: Response) => {
  // vuln: CWE-330
  const state = Math.random().toString(36).substring(2, 15) + Math.random().toString(36).substring(2, 15);
  req.session.oidcState = state;
  res.redirect(`https://login.microsoftonline.com/${process.env.AZURE_TENANT_ID}/oauth2/v2.0/authorize?client_id=${process.env.AZURE_CLIENT_ID}&response_type=code&scope=openid%20email&state=${state}`);
});

// GET /sso/oidc/v2/login
router.get('/sso/oidc/v2/login', (req: Request, res: Response) => {
  // safe: CWE-330
  const state = crypto.randomBytes(24).toString('base64url');
  req.session.oidcState = state;
  res.redirect(`https://login.microsoftonline.com/${process.env.AZURE_TENANT_ID}/oauth2/v2.0/authorize?client_id=${process.env.AZURE_CLIENT_ID}&response_type=code&scope=openid%20email&state=${state}`);
});

// GET /sso/complete?RelayState=/courses/CS101
router.get('/sso/complete', (req: Request, res: Response) => {
  const relayState = String(req.query.RelayState || '/dashboard');
  // vuln: CWE-601
  res.redirect(relayState);
});

// GET /sso/v2/complete?RelayState=/courses/CS101
router.get('/sso/v2/complete', (req: Request, res: Response) => {
  const relayState = String(req.query.RelayState || '/dashboard');
  // safe: CWE-601
  res.redirect(isLocalPath(relayState) ? relayState : '/dashboard');
});

// GET /sso/logout?post_logout_redirect_uri=https://...
router.get('/sso/logout', (req: Request, res: Response) => {
  req.session.destroy(() => {
    // vuln: CWE-601
    res.redirect(302, req.query.post_logout_redirect_uri as string);
  });
});

// GET /sso/v2/logout?post_logout_redirect_uri=https://...
router.get('/sso/v2/logout', (req: Request, res: Response) => {
  let target = PORTAL_ORIGIN + '/';
  try {
    const requested = new URL(String(req.query.post_logout_redirect_uri));
    if (ALLOWED_LOGOUT_ORIGINS.has(requested.origin)) target = requested.toString();
  } catch {
    target = PORTAL_ORIGIN + '/';
  }
  req.session.destroy(() => {
    // safe: CWE-601
    res.redirect(302, target);
  });
});

export default router;
