// node-otel-esm: an ES module with no tracing code. GET / asks the app's own database
// (DATABASE_URL) for an answer, calls its own /inner with http.get and again with fetch, and
// answers all three.
import { get } from 'node:http';
import { createServer } from 'node:http';
import pg from 'pg';

const port = Number(process.env.PORT || 5000);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });

function getInner() {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/inner' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/inner') return res.end('inner');
    const { rows } = await pool.query('SELECT 40 + 2 AS answer');
    const inner = await getInner();
    const fetched = await (await fetch(`http://127.0.0.1:${port}/inner`)).text();
    res.end(`answer ${rows[0].answer}, ${inner}, ${fetched}\n`);
  } catch (err) {
    res.statusCode = 500;
    res.end(`failed: ${err.message}\n`);
  }
});
server.listen(port, () => console.log(`node-otel-esm listening on ${port}`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
