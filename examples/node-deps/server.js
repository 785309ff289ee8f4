const http = require('node:http');
const ms = require('ms');

const port = Number(process.env.PORT || 5000);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  // Uses the dependency, so a missing node_modules shows up as a failed request.
  res.end(`node-deps says: one day is ${ms('1d')} ms, 90000 ms is ${ms(90000, { long: true })}\n`);
});
server.listen(port, () => console.log(`node-deps listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
