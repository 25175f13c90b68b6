import * as cp from "child_process";
import type { Request } from "express";

export function run(req: Request, db: { query(sql: string, args?: unknown[]): void }): void {
  // ruleid: js-eval-dynamic-input
  eval(req.query.code as string);

  // ruleid: js-child-process-command-injection
  cp.execSync(`convert ${req.body.file} out.png`);
  // ok: js-child-process-command-injection
  cp.execFileSync("convert", [req.body.file, "out.png"]);

  db.query(`SELECT name FROM users WHERE email = '${req.body.email}'`);
  db.query("SELECT name FROM users WHERE email = $1", [req.body.email]);

  const el = document.getElementById("out") as HTMLElement;
  // ruleid: js-html-injection-sink
  el.outerHTML = req.body.html as string;

  // ruleid: js-insecure-random-token
  const csrfToken: string = String(Math.random());
  // ok: js-insecure-random-token
  const delayMs: number = Math.random() * 10;
  console.log(csrfToken, delayMs);
}

export function oneTimeLoginCode(): string {
  // ruleid: js-insecure-random-token
  return String(Math.floor(100000 + Math.random() * 900000));
}

export function shuffleDelay(): number {
  // ok: js-insecure-random-token
  return Math.floor(Math.random() * 250);
}
