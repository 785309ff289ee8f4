// supabase-todos: the app's server code talks to its DevFlow backend, configured only by the
// variables DevFlow injects. It uses @supabase/postgrest-js, the query builder behind
// supabase-js's `from()`, with the same URL and headers supabase-js derives from SUPABASE_URL
// and a key. (The full supabase-js package currently fails to start from a DevFlow slug: its
// @supabase/functions-js loses dist/main in the build; see backend/README.md.)
// GET /env shows which variables are set (never the keys); GET /add?title= inserts a todo with
// the service-role key; GET / lists the todos' titles.
const http = require('node:http');
const { PostgrestClient } = require('@supabase/postgrest-js');

const port = Number(process.env.PORT || 5000);
const key = process.env.SUPABASE_SERVICE_ROLE_KEY;
const db = new PostgrestClient(`${process.env.SUPABASE_URL}/rest/v1`, {
  headers: { apikey: key, Authorization: `Bearer ${key}` },
});

async function answer(url) {
  if (url.pathname === '/env') {
    return {
      SUPABASE_URL: process.env.SUPABASE_URL,
      NEXT_PUBLIC_SUPABASE_URL: process.env.NEXT_PUBLIC_SUPABASE_URL,
      anonKeySet: Boolean(process.env.SUPABASE_ANON_KEY) && process.env.SUPABASE_ANON_KEY === process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY,
      serviceRoleKeySet: Boolean(key),
      dbUrlSet: process.env.SUPABASE_DB_URL === process.env.DATABASE_URL,
    };
  }
  if (url.pathname === '/add') {
    const { data, error } = await db.from('todos').insert({ title: url.searchParams.get('title') || 'from the app' }).select('title');
    if (error) throw new Error(error.message);
    return data;
  }
  const { data, error } = await db.from('todos').select('title').order('id');
  if (error) throw new Error(error.message);
  return data.map((t) => t.title);
}

const server = http.createServer((req, res) => {
  answer(new URL(req.url, 'http://app')).then(
    (body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    },
    (err) => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`supabase error: ${err.message}\n`);
    },
  );
});
server.listen(port, () => console.log(`supabase-todos listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
