const path = require('path');
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

app.get('/api/health', (req, res) => {
  res.json({ status: 'ok' });
});

const port = process.env.PORT || 3000;
app.listen(port, () => console.log(`web-frontend listening on ${port}`));
