const http = require('node:http');

const port = Number(process.env.PORT || 5000);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Hello from node-hello\n');
});
server.listen(port, () => console.log(`node-hello listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
