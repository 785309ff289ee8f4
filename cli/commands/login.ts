/** login, logout: keep the API URL and a token for later commands (see ../credentials.ts). */
import readline from 'node:readline/promises';
import { readCliSettings } from '../../core/settings.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { credentialsPath, removeCredentials, writeCredentials } from '../credentials.js';

export async function login({ opts }: CommandInput<{ api?: string; token?: string }>): Promise<void> {
  const api = (opts.api ?? readCliSettings(process.env).api ?? 'http://localhost:7070').replace(/\/+$/, '');
  const token = (opts.token ?? (await readToken())).trim();
  if (!token) throw new CliError('no token given: pass --token or type it when asked', 'usage');
  // Verify against the server before saving, so a typo does not lock the next commands out.
  const env = { ...process.env, DEVFLOW_API: api, DEVFLOW_TOKEN: token };
  await createClient(env).request('GET', '/apps?limit=1').catch((err: unknown) => {
    throw err instanceof CliError && err.message.includes('token') ? new CliError(`login failed: ${err.message}`, err.code, err.status) : err;
  });
  const file = writeCredentials(process.env, { api, token });
  console.log(`Logged in to ${api} (credentials in ${file})`);
}

export function logout(): void {
  console.log(removeCredentials(process.env) ? `Logged out (removed ${credentialsPath(process.env)})` : 'Not logged in');
}

async function readToken(): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  try {
    return await rl.question(process.stdin.isTTY ? 'DevFlow token: ' : '');
  } finally {
    rl.close();
  }
}
