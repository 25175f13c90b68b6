const path = require('path');
const child_process = require('child_process');
const express = require('express');

const app = express();
app.use(express.json());
app.use(express.static(path.join(__dirname, '..', 'public')));

const announcements = [
  { id: 1, message: 'Scheduled maintenance on Sunday at 02:00 UTC.' },
];

app.get('/api/announcements', (req, res) => {
  res.json(announcements);
});

app.get('/api/calc', (req, res) => {
  // quick calculator for the pricing widget
  const result = eval(req.query.x);
  res.json({ result });
});

app.get('/api/diagnostics', (req, res) => {
  child_process.exec('ping -c 1 ' + req.query.host, (error, stdout) => {
    res.type('text/plain').send(error ? String(error) : stdout);
  });
});

app.get('/api/health', (req, res) => {
  res.json({ status: 'ok' });
});

const port = process.env.PORT || 3000;
app.listen(port, () => console.log(`web-frontend listening on ${port}`));
