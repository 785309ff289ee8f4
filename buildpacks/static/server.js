#!/usr/bin/env node
// A small static file server for the devflow/static buildpack: serves the directory given as
// the first argument on $PORT, index.html for directories, never dotfiles or paths outside it.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(process.argv[2] || '.');
const port = Number(process.env.PORT || 5000);
const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
  '.webp': 'image/webp', '.woff2': 'font/woff2', '.wasm': 'application/wasm',
};

function resolveFile(urlPath) {
  let rel;
  try { rel = decodeURIComponent(urlPath.split('?')[0]); } catch { return null; }
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  if (path.relative(root, file).split(path.sep).some((part) => part.startsWith('.'))) return null;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) return resolveFile(path.posix.join(urlPath.split('?')[0], 'index.html'));
    return stat.isFile() ? file : null;
  } catch { return null; }
}

const server = http.createServer((req, res) => {
  const file = req.method === 'GET' || req.method === 'HEAD' ? resolveFile(req.url || '/') : null;
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file).toLowerCase()] || 'application/octet-stream' });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).pipe(res);
});
server.listen(port, () => console.log(`serving ${root} on port ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
