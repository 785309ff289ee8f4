import { describe, expect, it } from 'vitest';
import { frame, HookChannel, parseRefUpdate } from './hook-channel.js';
import { app } from './test-support.js';

const A = 'a'.repeat(40);
const Z = '0'.repeat(40);

describe('frame', () => {
  it.each([
    ['log', 'hello', 'log hello\n'],
    ['log', 'one\ntwo', 'log one\nlog two\n'],
    ['ok', 'deployed', 'ok deployed\n'],
    ['fail', 'npm ci failed\nfail forged', 'log npm ci failed\nfail fail forged\n'],
    ['ok', 'line\nok forged\nlast', 'log line\nlog ok forged\nok last\n'],
  ] as const)('%s %j', (kind, text, expected) => {
    expect(frame(kind, text)).toBe(expected);
  });
});

describe('parseRefUpdate', () => {
  it.each([
    [{ ref: 'refs/heads/main', oldSha: Z, newSha: A }, { ref: 'refs/heads/main', oldSha: Z, newSha: A }],
    [{ ref: 'refs/heads/main', oldSha: A, newSha: Z, extra: 1 }, { ref: 'refs/heads/main', oldSha: A, newSha: Z }],
    [{ ref: 'refs/heads/main', oldSha: Z, newSha: A, quarantine: '/r/x.git/objects/tmp_objdir-incoming-a' },
      { ref: 'refs/heads/main', oldSha: Z, newSha: A, quarantine: '/r/x.git/objects/tmp_objdir-incoming-a' }],
    [{ ref: 'refs/heads/main', oldSha: Z, newSha: A, quarantine: 'objects/tmp_objdir-incoming-a' }, null],
    [{ ref: 'refs/heads/main', oldSha: Z, newSha: A, quarantine: 7 }, null],
    [{ ref: 'main', oldSha: Z, newSha: A }, null],
    [{ ref: 'refs/heads/main', oldSha: 'HEAD', newSha: A }, null],
    [{ ref: 'refs/heads/main', oldSha: Z, newSha: `${A}/../x` }, null],
    [null, null],
    ['text', null],
  ])('%j', (body, expected) => {
    expect(parseRefUpdate(body)).toEqual(expected);
  });
});

describe('HookChannel', () => {
  it('refuses requests without the push secret and never calls onPush', async () => {
    let calls = 0;
    const channel = new HookChannel(async () => {
      calls++;
      return { ok: true, message: '' };
    });
    const session = await channel.open(app('hello'), 'tester');
    try {
      const body = JSON.stringify({ ref: 'refs/heads/main', oldSha: A, newSha: Z });
      for (const secret of ['', 'f'.repeat(64), `${session.env.DEVFLOW_HOOK_SECRET}0`]) {
        const res = await fetch(session.env.DEVFLOW_HOOK_URL!, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body });
        expect(res.status).toBe(403);
      }
      const good = await fetch(session.env.DEVFLOW_HOOK_URL!, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.env.DEVFLOW_HOOK_SECRET}` },
        body,
      });
      expect(await good.text()).toBe('ok \n');
      expect(calls).toBe(1);
    } finally {
      await session.dispose();
      await channel.close();
    }
  });
});
