/** tokens, tokens:create, tokens:revoke (needs an admin token). */
import type { Command } from 'commander';
import { createClient } from '../client.js';
import { print, type OutputOptions } from '../output.js';

interface TokenView { id: number; name: string; scope: string; expiresAt: string | null; expired: boolean; lastUsedAt: string | null; createdAt: string }

const day = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 16).replace('T', ' ') : 'never');

export function registerTokenCommands(program: Command): void {
  program.command('tokens').description('list API tokens (admin)').option('--json', 'print JSON').action(async (opts: OutputOptions) => {
    const tokens = await createClient(process.env).request<TokenView[]>('GET', '/tokens?limit=200');
    print(opts, tokens, () => ['ID    NAME                 SCOPE   EXPIRES            LAST USED',
      ...tokens.map((t) => `${String(t.id).padEnd(5)} ${t.name.padEnd(20)} ${t.scope.padEnd(7)} ${(t.expired ? 'expired' : day(t.expiresAt)).padEnd(18)} ${day(t.lastUsedAt)}`)].join('\n'));
  });

  program.command('tokens:create').description('create an API token; it is printed once, keep it safe')
    .requiredOption('--name <name>', 'what the token is for, e.g. ci')
    .option('--scope <scope>', 'read (look), deploy (push, deploy, rollback, config, scale) or admin (everything)', 'read')
    .option('--expires <duration>', 'lifetime such as 90m, 12h, 30d, 2w, or never', 'never')
    .option('--json', 'print JSON')
    .action(async (opts: OutputOptions & { name: string; scope: string; expires: string }) => {
      const created = await createClient(process.env).request<TokenView & { token: string }>('POST', '/tokens', {
        name: opts.name, scope: opts.scope, expiresIn: opts.expires,
      });
      print(opts, created, () => [`Created token ${created.id} "${created.name}" (scope ${created.scope}, expires ${day(created.expiresAt)}).`,
        'It is shown only now:', '', created.token].join('\n'));
    });

  program.command('tokens:revoke').description('revoke an API token').argument('<id>', 'the token id from `devflow tokens`')
    .action(async (id: string) => {
      await createClient(process.env).request('DELETE', `/tokens/${encodeURIComponent(id)}`);
      console.log(`Revoked token ${id}`);
    });
}
