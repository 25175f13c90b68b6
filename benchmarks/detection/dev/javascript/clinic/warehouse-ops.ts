// Warehouse operations: label printing, scanner firmware and manifest files (Express, TypeScript).

import { exec, execFile, execFileSync, spawnSync } from 'child_process';
import express, { Request, Response } from 'express';
import { promises as fsp, createReadStream } from 'fs';
import path from 'path';
import shell from 'shelljs';
import { promisify } from 'util';

const execAsync = promisify(exec);
const router = express.Router();
const MANIFESTS = '/data/manifests';
const LABELS = path.resolve('/data/labels');
const PRINTERS = new Set(['zebra-1', 'zebra-2', 'dock-3']);

router.post('/labels/print', async (req: Request, res: Response) => {
  const { printer, file } = req.body as { printer: string; file: string };
  // vuln: CWE-78
  const { stdout } = await execAsync(`lp -d ${printer} ${LABELS}/${file}`);
  res.json({ job: stdout.trim() });
});

router.post('/scanners/:id/flash', (req: Request, res: Response) => {
  const version = req.query.version as string;
  // vuln: CWE-78
  const result = shell.exec('flash-tool --device ' + req.params.id + ' --firmware /data/fw/' + version + '.bin');
  res.json({ code: result.code });
});

function archive(day: string): Buffer {
  // vuln: CWE-78
  return execFileSync('/bin/sh', ['-c', `tar czf - ${MANIFESTS}/${day}`]);
}

router.get('/manifests/archive', (req: Request, res: Response) => {
  res.type('application/gzip').send(archive(req.query.day as string));
});

router.get('/dock/camera', (req: Request, res: Response) => {
  const cam = req.cookies.dockCamera;
  // vuln: CWE-78
  const out = spawnSync(`ffmpeg -i rtsp://${cam}/stream -frames:v 1 -f image2 -`, { shell: true });
  res.type('image/jpeg').send(out.stdout);
});

router.post('/labels/print/safe', (req: Request, res: Response) => {
  const { printer, file } = req.body as { printer: string; file: string };
  if (!PRINTERS.has(printer)) return res.status(400).end();
  // safe: CWE-78
  execFile('lp', ['-d', printer, path.join(LABELS, path.basename(file))], (err, stdout) => res.json({ job: stdout.trim() }));
});

router.get('/manifests/archive/safe', (req: Request, res: Response) => {
  const day = String(req.query.day);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return res.status(400).end();
  // safe: CWE-78
  const out = execFileSync('tar', ['czf', '-', path.join(MANIFESTS, day)]);
  res.type('application/gzip').send(out);
});

router.get('/health/disk', async (_req: Request, res: Response) => {
  // safe: CWE-78
  const { stdout } = await execAsync('df -h /data | tail -1');
  res.type('text').send(stdout);
});

router.get('/dock/camera/safe', (req: Request, res: Response) => {
  const cam = Number.parseInt(req.cookies.dockCamera, 10);
  // safe: CWE-78
  const out = spawnSync('ffmpeg', ['-i', `rtsp://10.20.0.${cam}/stream`, '-frames:v', '1', '-f', 'image2', '-']);
  res.type('image/jpeg').send(out.stdout);
});

router.get('/manifests/:name', async (req: Request, res: Response) => {
  // vuln: CWE-22
  const data = await fsp.readFile(`${MANIFESTS}/${req.params.name}`, 'utf8');
  res.type('text').send(data);
});

router.put('/labels', async (req: Request, res: Response) => {
  const { name, content } = req.body as { name: string; content: string };
  // vuln: CWE-22
  await fsp.writeFile(path.join(LABELS, name), content);
  res.status(201).end();
});

router.get('/firmware', (req: Request, res: Response) => {
  const file = path.normalize(req.query.file as string);
  // vuln: CWE-22
  createReadStream(path.join('/data/fw', file)).pipe(res);
});

router.get('/manifests/:name/download', (req: Request, res: Response) => {
  // vuln: CWE-22
  res.download(MANIFESTS + '/' + req.params.name);
});

router.get('/manifests/:name/safe', async (req: Request, res: Response) => {
  // safe: CWE-22
  const data = await fsp.readFile(path.join(MANIFESTS, path.basename(req.params.name)), 'utf8');
  res.type('text').send(data);
});

router.put('/labels/safe', async (req: Request, res: Response) => {
  const { name, content } = req.body as { name: string; content: string };
  const target = path.resolve(LABELS, name);
  if (path.relative(LABELS, target).startsWith('..') || path.isAbsolute(path.relative(LABELS, target))) return res.status(400).end();
  // safe: CWE-22
  await fsp.writeFile(target, content);
  res.status(201).end();
});

router.get('/manifests/:name/download/safe', (req: Request, res: Response) => {
  // safe: CWE-22
  res.download(req.params.name, { root: MANIFESTS });
});

router.get('/firmware/:build(\\d+)', (req: Request, res: Response) => {
  const build = parseInt(req.params.build, 10);
  // safe: CWE-22
  createReadStream(path.join('/data/fw', `scanner-${build}.bin`)).pipe(res);
});

export default router;
