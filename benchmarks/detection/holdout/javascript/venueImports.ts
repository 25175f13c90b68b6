// Venue imports: seat maps (XML), venue-system configuration (YAML), price bands, and seat lookups.

import express, { Request, Response, NextFunction, Router } from 'express';
import multer from 'multer';
import path from 'path';
import { promises as fsp } from 'fs';
import libxmljs from 'libxmljs';
import * as xpath from 'xpath';
import { DOMParser } from '@xmldom/xmldom';
import { XMLParser } from 'fast-xml-parser';
import yaml from 'js-yaml';
import { parse as parseCsv } from 'csv-parse/sync';
import { Venue, SeatMap, PriceBand } from './models';

const router: Router = express.Router();
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 10 * 1024 * 1024 } });
const SEATMAP_DIR = process.env.SEATMAP_DIR || '/srv/tix/seatmaps';

interface SeatRecord {
  section: string;
  row: string;
  number: number;
  status: string;
}

class SeatMapService {
  async loadDocument(venueId: number): Promise<libxmljs.Document> {
    const xml = await fsp.readFile(path.join(SEATMAP_DIR, `${venueId}.xml`), 'utf8');
    return libxmljs.parseXml(xml);
  }

  async loadDom(venueId: number): Promise<Document> {
    const xml = await fsp.readFile(path.join(SEATMAP_DIR, `${venueId}.xml`), 'utf8');
    return new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
  }

  async availableInSection(venueId: number, section: string): Promise<SeatRecord[]> {
    const doc = await this.loadDom(venueId);
    // vuln: CWE-643
    const nodes = xpath.select(`//section[@name='${section}']/row/seat[@status='available']`, doc as any) as Element[];
    return nodes.map((n) => ({ section, row: n.getAttribute('row') || '', number: Number(n.getAttribute('number')), status: 'available' }));
  }

  async availableInSectionParam(venueId: number, section: string): Promise<number> {
    const doc = await this.loadDom(venueId);
    const expr = xpath.parse("count(//section[@name=$section]/row/seat[@status='available'])");
    // safe: CWE-643
    return expr.evaluateNumber({ node: doc as any, variables: { section } });
  }

  async seat(venueId: number, row: string, seatNumber: string): Promise<string | null> {
    const doc = await this.loadDocument(venueId);
    const query = "//row[@label='" + row + "']/seat[@number='" + seatNumber + "']";
    // vuln: CWE-643
    const node = doc.get(query);
    return node ? (node as libxmljs.Element).attr('status')?.value() ?? null : null;
  }

  async seatsInRow(venueId: number, rowNumber: number): Promise<number> {
    const doc = await this.loadDocument(venueId);
    // safe: CWE-643
    const seats = doc.find(`//section/row[@index=${rowNumber}]/seat`);
    return seats.length;
  }
}

const seatMaps = new SeatMapService();

router.get('/venues/:venueId/sections/:section/available', async (req: Request, res: Response, next: NextFunction) => {
  try {
    res.json(await seatMaps.availableInSection(Number(req.params.venueId), req.params.section));
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/sections/:section/count', async (req: Request, res: Response, next: NextFunction) => {
  try {
    res.json({ available: await seatMaps.availableInSectionParam(Number(req.params.venueId), req.params.section) });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/seat', async (req: Request, res: Response, next: NextFunction) => {
  try {
    res.json({ status: await seatMaps.seat(Number(req.params.venueId), String(req.query.row), String(req.query.seat)) });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/rows/:row/size', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const rowNumber = Number.parseInt(req.params.row, 10);
    if (!Number.isFinite(rowNumber)) return res.sendStatus(400);
    res.json({ seats: await seatMaps.seatsInRow(Number(req.params.venueId), rowNumber) });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/price-band', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const doc = await seatMaps.loadDom(Number(req.params.venueId));
    const band = req.get('X-Price-Band') || 'A';
    // vuln: CWE-643
    const node = xpath.select1('//priceBands/band[@code="' + band + '"]/@cents', doc as any) as Attr | undefined;
    res.json({ cents: node ? Number(node.value) : null });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/zones', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const zone = String(req.query.zone || '');
    if (!/^[A-Z]{1,3}[0-9]{0,2}$/.test(zone)) return res.status(400).json({ error: 'unknown zone' });
    const doc = await seatMaps.loadDocument(Number(req.params.venueId));
    // safe: CWE-643
    const sections = doc.find(`//zone[@code='${zone}']/section/@name`);
    res.json(sections.map((a) => (a as unknown as libxmljs.Attribute).value()));
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/accessible-seats', express.json(), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const doc = await seatMaps.loadDom(Number(req.params.venueId));
    const feature: string = req.body.feature;
    const expr = `//seat[@accessible='true' and contains(@features, '${feature}')]`;
    // vuln: CWE-643
    const result = xpath.evaluate(expr, doc as any, null, xpath.XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    res.json({ count: result.snapshotLength });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/wheelchair-bays', express.json(), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const doc = await seatMaps.loadDom(Number(req.params.venueId));
    const level = req.body.level === 'upper' ? 'upper' : 'stalls';
    // safe: CWE-643
    const result = xpath.evaluate(`//seat[@wheelchair='true' and ancestor::level[@name='${level}']]`, doc as any, null, xpath.XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    res.json({ count: result.snapshotLength });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/holds', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const doc = await seatMaps.loadDocument(Number(req.params.venueId));
    let holder = String(req.query.holder || 'production');
    holder = holder.trim();
    // vuln: CWE-643
    const held = doc.find("//seat[@heldFor='" + holder + "']");
    res.json({ held: held.length });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/holds/by-promoter', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const doc = await seatMaps.loadDom(Number(req.params.venueId));
    const promoter = String(req.query.promoter || '');
    // safe: CWE-643
    const first = xpath.parse('//seat[@heldFor=$promoter]').select1({ node: doc as any, variables: { promoter } });
    res.json({ found: Boolean(first) });
  } catch (err) {
    next(err);
  }
});

// --- Imports from venue management systems ---

router.post('/venues/:venueId/seatmap', upload.single('seatmap'), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const xml = req.file!.buffer.toString('utf8');
    // vuln: CWE-611
    const doc = libxmljs.parseXml(xml, { noent: true, noblanks: true });
    const sections = doc.find('//section').length;
    await fsp.writeFile(path.join(SEATMAP_DIR, `${Number(req.params.venueId)}.xml`), doc.toString());
    await SeatMap.upsert({ venueId: Number(req.params.venueId), sections });
    res.status(201).json({ sections });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/seatmap/validate', upload.single('seatmap'), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const xsd = libxmljs.parseXml(await fsp.readFile(path.join(__dirname, 'schemas', 'seatmap.xsd'), 'utf8'));
    // safe: CWE-611
    const doc = libxmljs.parseXml(req.file!.buffer.toString('utf8'), { noent: false, nonet: true, noblanks: true });
    const valid = doc.validate(xsd);
    res.json({ valid, errors: doc.validationErrors.map((e) => e.message) });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/price-bands/import', express.text({ type: ['application/xml', 'text/xml'], limit: '2mb' }), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const body: string = req.body;
    // vuln: CWE-611
    const doc = libxmljs.parseXmlString(body, { dtdload: true, noent: true });
    const bands = doc.find('//band').map((b) => ({ code: (b as libxmljs.Element).attr('code')?.value(), cents: Number((b as libxmljs.Element).attr('cents')?.value()) }));
    await PriceBand.bulkCreate(bands.map((b) => ({ ...b, venueId: Number(req.params.venueId) })));
    res.status(201).json({ imported: bands.length });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/amenities/import', express.text({ type: ['application/xml', 'text/xml'], limit: '1mb' }), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
    // safe: CWE-611
    const parsed = parser.parse(req.body as string);
    const amenities = [].concat(parsed?.venue?.amenities?.amenity || []);
    await Venue.update({ amenities }, { where: { id: Number(req.params.venueId) } });
    res.json({ amenities: amenities.length });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/entrances/import', upload.single('entrances'), async (req: Request, res: Response, next: NextFunction) => {
  try {
    // safe: CWE-611
    const dom = new DOMParser().parseFromString(req.file!.buffer.toString('utf8'), 'text/xml');
    const gates = dom.getElementsByTagName('gate');
    res.json({ gates: gates.length });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/config', express.text({ type: ['application/yaml', 'text/yaml', 'application/x-yaml'], limit: '512kb' }), async (req: Request, res: Response, next: NextFunction) => {
  try {
    // vuln: CWE-502
    const config = yaml.load(req.body as string, { schema: (yaml as any).DEFAULT_FULL_SCHEMA }) as Record<string, unknown>;
    await Venue.update({ config }, { where: { id: Number(req.params.venueId) } });
    res.json({ keys: Object.keys(config || {}) });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/config/preview', express.text({ type: ['application/yaml', 'text/yaml'], limit: '512kb' }), async (req: Request, res: Response, next: NextFunction) => {
  try {
    // safe: CWE-502
    const config = yaml.load(req.body as string, { schema: yaml.JSON_SCHEMA }) as Record<string, unknown>;
    res.json(config);
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/layouts/import', upload.single('layout'), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const text = req.file!.buffer.toString('utf8');
    const extended = yaml.DEFAULT_SCHEMA.extend(require('js-yaml-js-types').all);
    // vuln: CWE-502
    const layout: any = yaml.load(text, { schema: extended });
    await SeatMap.update({ layout }, { where: { venueId: Number(req.params.venueId) } });
    res.status(201).json({ ok: true });
  } catch (err) {
    next(err);
  }
});

router.post('/venues/:venueId/seats/import-csv', upload.single('csv'), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const records: SeatRecord[] = parseCsv(req.file!.buffer, { columns: true, skip_empty_lines: true, cast: true });
    const venueDir = path.join(SEATMAP_DIR, String(Number(req.params.venueId)));
    await fsp.mkdir(venueDir, { recursive: true });
    const label = req.body.label || 'import';
    // vuln: CWE-22
    await fsp.writeFile(path.join(venueDir, `${label}.json`), JSON.stringify(records));
    res.status(201).json({ seats: records.length });
  } catch (err) {
    next(err);
  }
});

router.get('/venues/:venueId/seats/imports/:label', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const venueDir = path.join(SEATMAP_DIR, String(Number(req.params.venueId)));
    const label = path.basename(req.params.label);
    // safe: CWE-22
    const raw = await fsp.readFile(path.join(venueDir, `${label}.json`), 'utf8');
    res.json(JSON.parse(raw));
  } catch (err) {
    next(err);
  }
});

export default router;
