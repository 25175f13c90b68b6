const child_process = require("child_process");
const { exec } = require("child_process");

function handler(req, res, db, element) {
  // ruleid: js-eval-dynamic-input
  eval(req.query.code);
  // ruleid: js-eval-dynamic-input
  window.eval("return " + req.body.expr);
  // ok: js-eval-dynamic-input
  eval("1 + 1");

  // ruleid: js-new-function-dynamic-input
  const f = new Function("a", req.body.source);
  // ok: js-new-function-dynamic-input
  const g = new Function("a", "return a * 2");

  // ruleid: js-child-process-command-injection
  child_process.exec("ls " + req.query.dir, (err, out) => res.send(out));
  // ruleid: js-child-process-command-injection
  exec(`git log ${req.query.branch}`);
  // ok: js-child-process-command-injection
  child_process.execFile("ls", [req.query.dir]);
  // ok: js-child-process-command-injection
  child_process.exec("ls -la");
  // ok: js-child-process-command-injection
  /ab+c/.exec("ab" + req.query.s);

  // ruleid: js-html-injection-sink
  element.innerHTML = "<b>" + req.query.name + "</b>";
  // ruleid: js-html-injection-sink
  document.write(location.hash);
  // ok: js-html-injection-sink
  element.innerHTML = "<b>static</b>";
  // ok: js-html-injection-sink
  element.textContent = req.query.name;

  db.query("SELECT * FROM users WHERE id = " + req.params.id);
  db.execute(`DELETE FROM sessions WHERE user = '${req.body.user}'`);
  db.query("SELECT * FROM users WHERE id = ?", [req.params.id]);
  db.query("prefix " + name);

  // ruleid: js-insecure-random-token
  const resetToken = Math.random().toString(36).slice(2);
  // ok: js-insecure-random-token
  const jitter = Math.random() * 100;
  return [f, g, resetToken, jitter];
}

function generateSessionId() {
  // ruleid: js-insecure-random-token
  return Math.random().toString(16);
}

const PRICING_RULES = { flat: "base", weekend: "base * 1.2" };
function priceFor(plan, base) {
  // ok: js-new-function-dynamic-input
  const rule = new Function("base", "return " + PRICING_RULES[plan] + ";");
  // ruleid: js-new-function-dynamic-input
  const custom = new Function("base", "return " + plan + ";");
  return [rule(base), custom(base)];
}

function startLogin(req, res) {
  // ruleid: js-insecure-random-token
  const loginState = Math.random().toString(36).slice(2);
  req.session.loginState = loginState;
  res.redirect("https://idp.example.com/authorize?state=" + loginState);
}

function pickBanner(req, res) {
  // ok: js-insecure-random-token
  const banner = Math.floor(Math.random() * 3);
  res.render("home", { banner });
}

function makeDeviceToken() {
  // ruleid: js-insecure-random-token
  return uuidv1();
}
