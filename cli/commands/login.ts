/**
 * login, signup, logout: keep the API URL and a credential for later commands (see
 * ../credentials.ts). `login --token` checks and stores an API token; `login --email` signs in
 * with a password and stores the session (a 15-minute access token and its refresh token, which
 * the client trades when the access token expires); when the person has two-factor sign-in on,
 * the server answers `totp_required` and the code is asked for next. Passwords and codes are
 * read from stdin, never flags: one line each, so a script can pipe "password\ncode\n".
 */
import readline from 'node:readline/promises';
import { readCliSettings } from '../../core/settings.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { credentialsPath, readCredentials, removeCredentials, writeCredentials } from '../credentials.js';

interface Session { accessToken: string; refreshToken: string; email?: string; owner?: boolean; joined?: { team: string; role: string } | null }

function apiOf(opts: { api?: string }): string {
  return (opts.api ?? readCliSettings(process.env).api ?? 'http://localhost:7070').replace(/\/+$/, '');
}

export async function login({ opts }: CommandInput<{ api?: string; token?: string; email?: string }>): Promise<void> {
  const api = apiOf(opts);
  if (opts.email) return loginWithPassword(api, opts.email);
  const token = (opts.token ?? (await readSecret('DevFlow token: '))).trim();
  if (!token) throw new CliError('no token given: pass --token or type it when asked (or sign in with --email)', 'usage');
  // Verify against the server before saving, so a typo does not lock the next commands out.
  const env = { ...process.env, DEVFLOW_API: api, DEVFLOW_TOKEN: token };
  await createClient(env).request('GET', '/apps?limit=1').catch((err: unknown) => {
    throw err instanceof CliError && err.message.includes('token') ? new CliError(`login failed: ${err.message}`, err.code, err.status) : err;
  });
  const file = writeCredentials(process.env, { api, token });
  console.log(`Logged in to ${api} (credentials in ${file})`);
}

async function loginWithPassword(api: string, email: string): Promise<void> {
  const input = stdinLines();
  try {
    const password = await input.ask('Password: ');
    const client = createClient({ ...process.env, DEVFLOW_API: api });
    const session = await client.request<Session>('POST', '/auth/login', { email, password }, { anonymous: true }).catch(async (err: unknown) => {
      if (!(err instanceof CliError && err.code === 'totp_required')) throw err;
      const code = await input.ask('Two-factor code (or a recovery code): ');
      return client.request<Session>('POST', '/auth/login', { email, password, code: code.trim() }, { anonymous: true });
    });
    saveSession(api, email, session);
  } finally {
    input.close();
  }
}

function saveSession(api: string, email: string, session: Session): void {
  const file = writeCredentials(process.env, { api, token: session.accessToken, refreshToken: session.refreshToken });
  console.log(`Logged in to ${api} as ${email} (credentials in ${file})`);
}

export async function signup({ opts }: CommandInput<{ api?: string; email: string; invitation?: string }>): Promise<void> {
  const api = apiOf(opts);
  const password = await readSecret('Choose a password (8 characters or more): ');
  const session = await createClient({ ...process.env, DEVFLOW_API: api }).request<Session>(
    'POST', '/auth/signup', { email: opts.email, password, ...(opts.invitation ? { invitation: opts.invitation } : {}) }, { anonymous: true },
  );
  const file = writeCredentials(process.env, { api, token: session.accessToken, refreshToken: session.refreshToken });
  const role = session.owner ? ': you are the owner of this DevFlow (the admin token is yours too)' : '';
  const joined = session.joined ? `; joined team ${session.joined.team} as ${session.joined.role}` : '';
  console.log(`Signed up to ${api} as ${opts.email}${role}${joined} (credentials in ${file})`);
}

export async function logout({ opts }: CommandInput<{ everywhere?: boolean }>): Promise<void> {
  const saved = readCredentials(process.env);
  if (saved?.refreshToken) {
    // End the session on the server too; an unreachable server must not keep the file.
    await createClient(process.env).request('POST', '/auth/logout', { everywhere: opts.everywhere === true }).catch(() => undefined);
  } else if (opts.everywhere) {
    await createClient(process.env).request('POST', '/auth/logout', { everywhere: true });
  }
  console.log(removeCredentials(process.env) ? `Logged out (removed ${credentialsPath(process.env)})` : 'Not logged in');
}

async function readSecret(prompt: string): Promise<string> {
  const input = stdinLines();
  try {
    return await input.ask(prompt);
  } finally {
    input.close();
  }
}

/**
 * Lines of stdin, one per question. One reader for the whole command: piped input arrives in one
 * chunk, and a second reader would find the first had swallowed the later lines.
 */
export function stdinLines(): { ask(prompt: string): Promise<string>; close(): void } {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(prompt) {
      if (process.stdin.isTTY) process.stderr.write(prompt);
      const next = await lines.next();
      return next.done ? '' : (next.value as string);
    },
    close: () => rl.close(),
  };
}

/** Without --code: asks for a reset code by mail. With it: reads the new password from stdin and sets it. */
export async function resetPassword({ opts }: CommandInput<{ api?: string; email: string; code?: string }>): Promise<void> {
  const client = createClient({ ...process.env, DEVFLOW_API: apiOf(opts) });
  if (!opts.code) {
    await client.request('POST', '/auth/password-reset', { email: opts.email }, { anonymous: true });
    console.log(`If ${opts.email} has an account, a reset code was mailed to it (valid for one hour)`);
    return;
  }
  const password = await readSecret('New password (8 characters or more): ');
  const done = await client.request<{ sessionsEnded: number }>('POST', '/auth/password-reset/confirm', { email: opts.email, code: opts.code, password }, { anonymous: true });
  console.log(`Password changed; ${done.sessionsEnded} session(s) ended. Sign in with devflow login --email ${opts.email}`);
}
