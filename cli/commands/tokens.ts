/** tokens, tokens:create, tokens:revoke (needs an admin token). */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface TokenView { id: number; name: string; scope: string; expiresAt: string | null; expired: boolean; lastUsedAt: string | null; createdAt: string }

const day = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 16).replace('T', ' ') : 'never');

export async function listTokens({ opts }: CommandInput<OutputOptions>): Promise<void> {
  const tokens = await createClient(process.env).request<TokenView[]>('GET', '/tokens?limit=200');
  print(opts, tokens, () => ['ID    NAME                 SCOPE   EXPIRES            LAST USED',
    ...tokens.map((t) => `${String(t.id).padEnd(5)} ${t.name.padEnd(20)} ${t.scope.padEnd(7)} ${(t.expired ? 'expired' : day(t.expiresAt)).padEnd(18)} ${day(t.lastUsedAt)}`)].join('\n'));
}

export async function createToken({ opts }: CommandInput<OutputOptions & { name: string; scope: string; expires: string }>): Promise<void> {
  const created = await createClient(process.env).request<TokenView & { token: string }>('POST', '/tokens', {
    name: opts.name, scope: opts.scope, expiresIn: opts.expires,
  });
  print(opts, created, () => [`Created token ${created.id} "${created.name}" (scope ${created.scope}, expires ${day(created.expiresAt)}).`,
    'It is shown only now:', '', created.token].join('\n'));
}

export async function revokeToken({ args: [id] }: CommandInput): Promise<void> {
  await createClient(process.env).request('DELETE', `/tokens/${encodeURIComponent(id!)}`);
  console.log(`Revoked token ${id}`);
}
