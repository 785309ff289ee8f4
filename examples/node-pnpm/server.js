const http = require('node:http');
const ms = require('ms');

http
  .createServer((req, res) => res.end(`node-pnpm says: one day is ${ms('1d')} ms\n`))
  .listen(process.env.PORT || 5000);
