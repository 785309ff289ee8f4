// node-db: GET /write inserts a row into the app's own database (DATABASE_URL, injected by
// DevFlow); GET / reads the rows back; GET /whoami names the database role and database.
const http = require('node:http');
const postgres = require('postgres');

const port = Number(process.env.PORT || 5000);
const sql = postgres(process.env.DATABASE_URL, { max: 2, idle_timeout: 20, connect_timeout: 10 });
let ready;
const schema = () => (ready ??= sql`CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)`.catch((err) => {
  ready = undefined;
  throw err;
}));

async function answer(req) {
  const url = new URL(req.url, 'http://app');
  if (url.pathname === '/whoami') {
    const [me] = await sql`SELECT current_user AS "user", current_database() AS database`;
    return `${me.user} on ${me.database}\n`;
  }
  await schema();
  if (url.pathname === '/write') {
    const body = url.searchParams.get('body') || `written by ${process.env.DEVFLOW_RELEASE}`;
    const [row] = await sql`INSERT INTO notes (body) VALUES (${body}) RETURNING id`;
    return `wrote row ${row.id}\n`;
  }
  const rows = await sql`SELECT id, body FROM notes ORDER BY id`;
  return `node-db rows (${process.env.DEVFLOW_RELEASE}): ${rows.map((r) => `${r.id}=${r.body}`).join(', ')}\n`;
}

const server = http.createServer((req, res) => {
  answer(req).then(
    (text) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    },
    (err) => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`database error: ${err.message}\n`);
    },
  );
});
server.listen(port, () => console.log(`node-db listening on ${port}`));
process.on('SIGTERM', () => server.close(() => sql.end({ timeout: 5 }).then(() => process.exit(0))));
