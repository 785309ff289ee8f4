// Echoes its config so a test can see which release and config vars it runs with.
const http = require('node:http');

const port = Number(process.env.PORT || 5000);
const server = http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok\n');
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`GREETING=${process.env.GREETING ?? 'unset'} release=${process.env.DEVFLOW_RELEASE}\n`);
});
server.listen(port, () => console.log(`release-app listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

// CRASH_AFTER_MS makes the web process exit on its own: a crash loop to watch in `devflow ps`.
if (process.env.CRASH_AFTER_MS) {
  setTimeout(() => {
    console.error('crashing on purpose (CRASH_AFTER_MS)');
    process.exit(1);
  }, Number(process.env.CRASH_AFTER_MS));
}
