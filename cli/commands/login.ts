/** login, logout: keep the API URL and a token for later commands (see ../credentials.ts). */
import type { Command } from 'commander';
import readline from 'node:readline/promises';
import { CliError, createClient } from '../client.js';
import { credentialsPath, removeCredentials, writeCredentials } from '../credentials.js';

export function registerLoginCommands(program: Command): void {
  program.command('login').description('sign in to a DevFlow: checks the token, then stores it (mode 0600)')
    .option('--api <url>', 'DevFlow API URL', process.env.DEVFLOW_API ?? 'http://localhost:7070')
    .option('--token <token>', 'API token (default: read from stdin)')
    .action(async (opts: { api: string; token?: string }) => {
      const api = opts.api.replace(/\/+$/, '');
      const token = (opts.token ?? (await readToken())).trim();
      if (!token) throw new CliError('no token given: pass --token or type it when asked');
      // Verify against the server before saving, so a typo does not lock the next commands out.
      const env = { ...process.env, DEVFLOW_API: api, DEVFLOW_TOKEN: token };
      await createClient(env).request('GET', '/apps?limit=1').catch((err: unknown) => {
        throw err instanceof CliError && err.message.includes('token') ? new CliError(`login failed: ${err.message}`) : err;
      });
      const file = writeCredentials(process.env, { api, token });
      console.log(`Logged in to ${api} (credentials in ${file})`);
    });

  program.command('logout').description('forget the stored token').action(() => {
    console.log(removeCredentials(process.env) ? `Logged out (removed ${credentialsPath(process.env)})` : 'Not logged in');
  });
}

async function readToken(): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  try {
    return await rl.question(process.stdin.isTTY ? 'DevFlow token: ' : '');
  } finally {
    rl.close();
  }
}
