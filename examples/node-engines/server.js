const http = require('node:http');

http
  .createServer((req, res) => res.end(`node-engines runs on Node.js ${process.version.split('.')[0]}\n`))
  .listen(process.env.PORT || 5000);
