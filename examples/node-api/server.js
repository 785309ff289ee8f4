const http = require('node:http');
const ms = require('ms');
const qs = require('qs');
const cookie = require('cookie');
const escapeHtml = require('escape-html');
const { v4: uuid } = require('uuid');

const port = Number(process.env.PORT || 5000);
http
  .createServer((req, res) => {
    const query = qs.parse((req.url || '').split('?')[1] || '');
    const cookies = cookie.parse(req.headers.cookie || '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ message: 'node-api is up', day: ms('1d'), query, cookies, id: uuid(), safe: escapeHtml('<b>') }) + '\n');
  })
  .listen(port, () => console.log(`node-api listening on ${port}`));
