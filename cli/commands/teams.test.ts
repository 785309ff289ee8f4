/**
 * The accounts commands as a user types them: the real `devflow` CLI (through tsx) against the
 * real API in-process (api/test-api.ts), passwords on stdin, credentials in a throwaway file.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../accounts/totp.js';
import { startTestApi, type TestApi } from '../../api/test-api.js';
import { CLI_ENTRY } from '../../tests/support/compiled-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let api: TestApi;
let config: string;

function devflow(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), DEVFLOW_API: api.base, DEVFLOW_CONFIG: config };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI_ENTRY, ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}

/** Runs a command that asks for input after printing something: `answer` sees stdout so far. */
function devflowAnswering(args: string[], answer: (stdout: string) => string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), DEVFLOW_API: api.base, DEVFLOW_CONFIG: config };
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const reply = child.stdin.writable ? answer(stdout) : undefined;
    if (reply !== undefined) child.stdin.end(reply);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
}

beforeAll(async () => {
  api = await startTestApi();
  config = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-cli-accounts-')), 'credentials.json');
}, 60_000);
afterAll(async () => api?.close());

describe('devflow signup, teams and audit', () => {
  it('signs up the owner, makes a team and an app in it, invites, and shows access and the audit log', async () => {
    const signup = await devflow(['signup', '--email', 'ada@example.com'], 'a long password\n');
    expect(signup.stdout, signup.stderr).toContain('you are the owner');
    expect((await devflow(['teams:create', 'acme'])).stdout).toContain('Created team acme');
    expect((await devflow(['apps:create', 'shop', '--team', 'acme'])).code).toBe(0);
    const invite = await devflow(['teams:invite', 'acme', 'bob@example.com', '--role', 'viewer']);
    expect(invite.stdout, invite.stderr).toContain('Invited bob@example.com to acme as viewer');
    expect((await devflow(['access', 'shop'])).stdout).toMatch(/ada@example.com\s+owner\s+read, deploy, admin, owner/);
    const audit = await devflow(['audit', '--team', 'acme', '--since', '7d', '--json']);
    const actions = audit.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(['member.invite', 'app.create', 'team.create']);
  });

  it('signs in with a password, refuses a wrong one, and signs out everywhere', async () => {
    const wrong = await devflow(['login', '--email', 'ada@example.com'], 'not it\n');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('wrong email or password');
    expect((await devflow(['login', '--email', 'ada@example.com'], 'a long password\n')).stdout).toContain('Logged in');
    expect((await devflow(['logout', '--everywhere'])).stdout).toContain('Logged out');
    const [left] = await api.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sessions`;
    expect(left!.n).toBe(0);
  });

  it('turns on two-factor sign-in from a QR code, then asks for the code at login', async () => {
    expect((await devflow(['login', '--email', 'ada@example.com'], 'a long password\n')).stdout).toContain('Logged in');
    let secret = '';
    const enable = await devflowAnswering(['2fa:enable'], (stdout) => {
      const match = /Secret: ([A-Z2-7]+)/.exec(stdout);
      if (!match) return undefined;
      secret = match[1]!;
      return `${totp(base32Decode(secret), Date.now())}\n`;
    });
    expect(enable.stdout, enable.stderr).toContain('Two-factor sign-in is on');
    expect(enable.stdout).toContain('▄'); // the QR code, drawn with half blocks
    expect(enable.stdout).toMatch(/^ {2}[a-z2-7]{5}-[a-z2-7]{5}$/m);

    const noCode = await devflow(['login', '--email', 'ada@example.com'], 'a long password\n');
    expect(noCode.code).not.toBe(0);
    expect(noCode.stderr).toContain('two-factor sign-in is on');
    const withCode = await devflow(['login', '--email', 'ada@example.com'], `a long password\n${totp(base32Decode(secret), Date.now() + 30_000)}\n`);
    expect(withCode.stdout, withCode.stderr).toContain('Logged in to');
    expect((await devflow(['2fa', '--json'])).stdout).toContain('"enabled": true');
  });
});
