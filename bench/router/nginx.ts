/**
 * nginx (Debian's nginx-light) for bench/router.ts, on loopback ports with our own prefix and
 * configuration, never the system one: as the upstream (a fixed 200 answer) and as the peer
 * reverse proxy, with keep-alive to the upstream and the same X-Forwarded-* work DevFlow does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const UPSTREAM_BODY = 'hello from the upstream\n';

function common(prefix: string): string {
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  return `${user}worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
`;
}

function temps(prefix: string): string {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${prefix}/${t};`).join('\n');
}

export function upstreamConfig(prefix: string, port: number): string {
  return `${common(prefix)}http {
  access_log off;
${temps(prefix)}
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port} default_server;
    location / { default_type text/plain; return 200 '${UPSTREAM_BODY.trim()}\\n'; }
  }
}
`;
}

/** One server block per route, as a host-per-app setup needs; `routes` of them. */
export function proxyConfig(prefix: string, port: number, upstreamPort: number, routes: number): string {
  const servers = Array.from({ length: routes }, (_, i) => `  server {
    listen 127.0.0.1:${port};
    server_name app${i}.localhost;
    location / { proxy_pass http://app_upstream; }
  }`).join('\n');
  return `${common(prefix)}http {
  access_log off;
${temps(prefix)}
  server_names_hash_max_size 32768;
  server_names_hash_bucket_size 128;
  keepalive_requests 1000000;
  upstream app_upstream { server 127.0.0.1:${upstreamPort}; keepalive 256; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $http_host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header X-Forwarded-Host $http_host;
  proxy_set_header X-Request-Id $request_id;
${servers}
}
`;
}

export interface Nginx {
  port: number;
  /** The master's pid (its one worker is its child). */
  pid: number;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${logs()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port}: ${logs()}`);
}

export async function startNginx(port: number, config: (prefix: string) => string): Promise<Nginx> {
  const prefix = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-nginx-'));
  const file = path.join(prefix, 'nginx.conf');
  await fs.writeFile(file, config(prefix));
  let logs = '';
  const child = spawn('/usr/sbin/nginx', ['-p', prefix, '-c', file]);
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  await waitForPort(port, child, () => logs);
  return {
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await exited;
      }
      await fs.rm(prefix, { recursive: true, force: true });
    },
  };
}
