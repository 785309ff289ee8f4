/** domains, domains:add, domains:remove, domains:redirect: custom domains and their certificates (issue 5). */
import { CliError, createClient, type ApiClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface DomainView {
  name: string;
  url: string;
  certificate: { status: string; state: 'pending' | 'issued' | 'failed'; reason: string | null; expiresAt: string | null };
}

const path = (app: string) => `/apps/${encodeURIComponent(app)}/domains`;

export function formatDomains(app: string, domains: DomainView[]): string {
  if (domains.length === 0) return `${app} has no custom domains: add one with \`devflow domains:add ${app} www.example.com\``;
  const width = Math.max(...domains.map((d) => d.name.length), 6) + 2;
  const lines = [`=== ${app} domains`, `${'DOMAIN'.padEnd(width)}${'EXPIRES'.padEnd(12)}CERTIFICATE`];
  for (const d of domains) {
    const expires = d.certificate.expiresAt ? d.certificate.expiresAt.slice(0, 10) : '-';
    lines.push(`${d.name.padEnd(width)}${expires.padEnd(12)}${d.certificate.status}`);
  }
  return lines.join('\n');
}

/** Polls until the certificate leaves `pending` (or the time runs out). */
async function waitForCertificate(client: ApiClient, app: string, name: string, timeoutMs: number): Promise<DomainView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const domain = (await client.request<DomainView[]>('GET', path(app))).find((d) => d.name === name);
    if (domain === undefined) throw new CliError(`${name} is no longer a domain of ${app}`, 'not_found');
    if (domain.certificate.state !== 'pending') return domain;
    if (Date.now() > deadline) return domain;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function listDomains({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const domains = await createClient(process.env).request<DomainView[]>('GET', path(app));
  print(opts, domains, () => formatDomains(app, domains));
}

export async function addDomain({ app, args: [name], opts }: CommandInput<OutputOptions & { wait?: boolean }>): Promise<void> {
  const client = createClient(process.env);
  let domain = await client.request<DomainView>('POST', path(app), { name });
  if (opts.wait) domain = await waitForCertificate(client, app, domain.name, 180_000);
  print(opts, domain, () => [
    `Added ${domain.name} to ${app}: ${domain.url}`,
    `Certificate: ${domain.certificate.status}`,
    ...(domain.certificate.state === 'pending' ? ['Point its DNS (A/AAAA or CNAME) at this server; follow it with `devflow domains ' + app + '`'] : []),
  ].join('\n'));
  if (opts.wait && domain.certificate.state === 'failed') throw new CliError(`certificate for ${domain.name} ${domain.certificate.status}`, 'failed');
}

export async function removeDomain({ app, args: [name] }: CommandInput): Promise<void> {
  await createClient(process.env).request('DELETE', `${path(app)}/${encodeURIComponent(name!)}`);
  console.log(`Removed ${name} from ${app}`);
}

export async function setHttpsRedirect({ app, args: [state] }: CommandInput): Promise<void> {
  if (state !== 'on' && state !== 'off') throw new CliError('say "on" or "off": devflow domains:redirect <app> on', 'usage');
  await createClient(process.env).request('PUT', `/apps/${encodeURIComponent(app)}/https-redirect`, { enabled: state === 'on' });
  console.log(`HTTP to HTTPS redirect for ${app}: ${state}`);
}
