/** A real Redis server (Debian's redis-server) on a free loopback port, for the test that asks for one. */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { freePort } from '../../core/embedded-postgres/embedded.js';

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const started = Date.now();
  while (!(await answers(port))) {
    if (child.exitCode !== null) throw new Error('redis-server exited at start: is the redis-server package installed?');
    if (Date.now() - started > 20_000) throw new Error('redis-server did not answer within 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
