/** Starts tests/support/load-worker.mjs: a steady load from a second process on loopback. */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface LoadCounts {
  sent: number;
  ok: number;
  status5xx: number;
  otherStatus: number;
  errors: number;
  inFlightLimit: number;
  /** Requests sent again because they never reached a server (with retryUnsent). */
  resent: number;
  samples: string[];
}

export interface RunningLoad {
  stop(): Promise<LoadCounts>;
}

export function startLoad(options: {
  port: number; host: string; rate: number; maxSeconds?: number; concurrency?: number; retryUnsent?: boolean;
}): RunningLoad {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'load-worker.mjs'), String(options.port), options.host,
    String(options.rate), String(options.maxSeconds ?? 300), String(options.concurrency ?? 64), options.retryUnsent ? '1' : '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.stdin!.end('stop\n');
      await exited;
      return JSON.parse(output.trim().split('\n').pop() ?? '{}') as LoadCounts;
    },
  };
}
