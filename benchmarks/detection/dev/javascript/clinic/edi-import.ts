// EDI and partner-file imports: XML manifests, saved filters and job payloads (Express, TypeScript).

import express, { Request, Response } from 'express';
import libxmljs from 'libxmljs2';
import { XMLParser } from 'fast-xml-parser';
import xml2js from 'xml2js';
import yaml from 'js-yaml';
import serialize from 'node-serialize';
import { deserialize as deserializeFn } from 'serialize-to-js';

const router = express.Router();
router.use(express.text({ type: '*/*', limit: '5mb' }));

router.post('/edi/manifest', (req: Request, res: Response) => {
  // vuln: CWE-611
  const doc = libxmljs.parseXmlString(req.body, { noent: true, noblanks: true });
  res.json({ consignments: doc.find('//consignment').length });
});

router.post('/edi/invoice', (req: Request, res: Response) => {
  const opts = { dtdload: true, noent: true, nonet: false };
  // vuln: CWE-611
  const doc = libxmljs.parseXml(String(req.body), opts);
  res.json({ lines: doc.find('//line').length });
});

function parseCustoms(xml: string) {
  // vuln: CWE-611
  return libxmljs.parseXml(xml, { noent: true });
}

router.post('/edi/customs', (req: Request, res: Response) => {
  res.json({ entries: parseCustoms(req.body).find('//entry').length });
});

router.post('/edi/manifest/safe', (req: Request, res: Response) => {
  // safe: CWE-611
  const doc = libxmljs.parseXmlString(req.body, { noblanks: true, nonet: true });
  res.json({ consignments: doc.find('//consignment').length });
});

router.post('/edi/invoice/safe', async (req: Request, res: Response) => {
  // safe: CWE-611
  const parsed = await xml2js.parseStringPromise(req.body);
  res.json({ lines: (parsed.invoice.line || []).length });
});

router.post('/edi/customs/safe', (req: Request, res: Response) => {
  // safe: CWE-611
  const parsed = new XMLParser({ processEntities: false }).parse(req.body);
  res.json({ entries: (parsed.customs.entry || []).length });
});

router.get('/filters/saved', (req: Request, res: Response) => {
  const raw = Buffer.from(String(req.query.f), 'base64').toString('utf8');
  // vuln: CWE-502
  const filter = serialize.unserialize(raw);
  res.json(filter);
});

router.post('/jobs/import', (req: Request, res: Response) => {
  // vuln: CWE-502
  const job = deserializeFn(req.body);
  res.json({ name: job.name });
});

router.post('/routes/plan', (req: Request, res: Response) => {
  // vuln: CWE-502
  const plan = yaml.load(req.body, { schema: yaml.DEFAULT_FULL_SCHEMA }) as { stops: unknown[] };
  res.json({ stops: plan.stops.length });
});

router.get('/filters/saved/safe', (req: Request, res: Response) => {
  const raw = Buffer.from(String(req.query.f), 'base64').toString('utf8');
  // safe: CWE-502
  const filter = JSON.parse(raw);
  res.json(filter);
});

router.post('/routes/plan/safe', (req: Request, res: Response) => {
  // safe: CWE-502
  const plan = yaml.load(req.body, { schema: yaml.FAILSAFE_SCHEMA }) as { stops: unknown[] };
  res.json({ stops: plan.stops.length });
});

router.post('/jobs/import/safe', (req: Request, res: Response) => {
  // safe: CWE-502
  const job = JSON.parse(req.body, (key, value) => (key === '__proto__' ? undefined : value));
  res.json({ name: job.name });
});

export default router;
