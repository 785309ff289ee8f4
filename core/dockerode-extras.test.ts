import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { lazyModuleExports } from './dockerode-extras.js';

describe('lazyModuleExports', () => {
  class Real {
    constructor(readonly n: number) {}
  }
  const module = () => {
    const exports = { Real, answer: 42 };
    // Compiled TypeScript defines non-configurable getters: the stand-in must report them as they are.
    Object.defineProperty(exports, 'fixed', { enumerable: true, configurable: false, get: () => 'fixed' });
    return exports;
  };

  it('loads nothing until a property is read, then answers as the module', () => {
    let loads = 0;
    const lazy = lazyModuleExports(() => (loads++, module())) as Record<string, unknown>;
    expect(loads).toBe(0);
    expect(lazy.answer).toBe(42);
    expect(lazy.fixed).toBe('fixed');
    expect(Object.keys(lazy).sort()).toEqual(['Real', 'answer', 'fixed']);
    expect('answer' in lazy).toBe(true);
    expect(loads).toBe(1);
  });

  it('a class read at load time constructs the real one at first use', () => {
    let loads = 0;
    const lazy = lazyModuleExports(() => (loads++, module()), 'Real') as { Real: new (n: number) => Real };
    const Stand = lazy.Real;
    expect(loads).toBe(0);
    const made = new Stand(7);
    expect(loads).toBe(1);
    expect(made).toBeInstanceOf(Real);
    expect(made.n).toBe(7);
    expect(lazy.Real).toBe(Real);
  });
});

describe('deferDockerodeExtras, in a fresh node', () => {
  it('dockerode talks to the engine without loading ssh2 or gRPC, and ssh2 loads at its first use', async () => {
    const script = `
      import { createRequire } from 'node:module';
      import { deferDockerodeExtras } from ${JSON.stringify(path.resolve(import.meta.dirname, 'dockerode-extras.ts'))};
      deferDockerodeExtras();
      const Docker = (await import('dockerode')).default;
      const require = createRequire(import.meta.url);
      // The stand-ins sit at the packages' main files; their other files load only with the real module.
      const loaded = (part) => Object.keys(require.cache).some((f) => f.includes(part));
      const before = { ssh2: loaded('/ssh2/lib/client.js'), grpc: loaded('/@grpc/grpc-js/build/src/server.js') };
      const pong = String(await new Docker().ping());
      const { Client } = require(require.resolve('ssh2', { paths: [require.resolve('docker-modem')] }));
      const client = new Client();
      console.log(JSON.stringify({ before, pong, clientConnects: typeof client.connect, after: loaded('/ssh2/lib/client.js') }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '..'),
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
      before: { ssh2: false, grpc: false }, pong: 'OK', clientConnects: 'function', after: true,
    });
  });
});
