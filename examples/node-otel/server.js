// node-otel: GET / asks the app's own database (DATABASE_URL) for the time, then calls its
// own /inner over HTTP, and answers both. Nothing here knows about OpenTelemetry; GET /agent only
// says whether an OpenTelemetry API global was registered in this process (by DevFlow's agent).
const http = require('node:http');
const { Pool } = require('pg');

const port = Number(process.env.PORT || 5000);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });

function getInner() {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/inner' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const server = http.createServer(async (req, res) => {
  try {
    if (req.url === '/inner') return res.end('inner');
    if (req.url === '/agent') return res.end(globalThis[Symbol.for('opentelemetry.js.api.1')] ? 'agent on\n' : 'agent off\n');
    const { rows } = await pool.query('SELECT 40 + 2 AS answer');
    const inner = await getInner();
    res.end(`answer ${rows[0].answer}, ${inner}\n`);
  } catch (err) {
    res.statusCode = 500;
    res.end(`failed: ${err.message}\n`);
  }
});
server.listen(port, () => console.log(`node-otel listening on ${port}`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
