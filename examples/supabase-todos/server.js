// supabase-todos: the app's server code talks to its DevFlow backend with supabase-js, configured
// only by the variables DevFlow injects. GET /env shows which are set (never the keys); GET
// /add?title= inserts a todo with the service-role key; GET / lists the todos' titles (or says
// that the backend is not enabled yet).
const http = require('node:http');
const { createClient } = require('@supabase/supabase-js');
// Node 20 has no WebSocket of its own; supabase-js's realtime client asks for one at creation.
const ws = require('ws');

const port = Number(process.env.PORT || 5000);
// Made on first use, not at start: an app deployed before its backend was enabled still starts
// (and shows with /env that the variables are missing) instead of crashing on createClient.
let client;
const supabase = () => (client ??= createClient(process.env.SUPABASE_URL, process.env.SUPABASE_SERVICE_ROLE_KEY, {
  auth: { persistSession: false, autoRefreshToken: false },
  realtime: { transport: ws },
}));

async function answer(url) {
  if (url.pathname === '/env') {
    return {
      SUPABASE_URL: process.env.SUPABASE_URL,
      NEXT_PUBLIC_SUPABASE_URL: process.env.NEXT_PUBLIC_SUPABASE_URL,
      anonKeySet: Boolean(process.env.SUPABASE_ANON_KEY) && process.env.SUPABASE_ANON_KEY === process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY,
      serviceRoleKeySet: Boolean(process.env.SUPABASE_SERVICE_ROLE_KEY),
      dbUrlSet: process.env.SUPABASE_DB_URL === process.env.DATABASE_URL,
    };
  }
  if (url.pathname === '/add') {
    const { data, error } = await supabase().from('todos').insert({ title: url.searchParams.get('title') || 'from the app' }).select('title');
    if (error) throw new Error(error.message);
    return data;
  }
  if (!process.env.SUPABASE_URL) return { message: 'this app has no backend yet: run devflow backend:enable <app>' };
  const { data, error } = await supabase().from('todos').select('title').order('id');
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
