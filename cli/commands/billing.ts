/** billing, billing:subscribe, billing:portal (issue 20): a team's Stripe subscription and its links. */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface TeamBillingView {
  team: string;
  plan: string | null;
  stripe: boolean;
  customer: boolean;
  subscription: null | { id: string; plan: string; status: string; currentPeriodEnd: string | null; graceUntil: string | null };
}

type TeamOption = OutputOptions & { team: string };

const teamPath = (team: string) => `/teams/${encodeURIComponent(team)}/billing`;

export function formatBilling(b: TeamBillingView): string {
  const lines = [`=== team ${b.team}: ${b.plan === null ? 'no plan (no quotas)' : `${b.plan} plan`}`];
  if (!b.stripe) lines.push('Stripe:        not set up on this DevFlow');
  else if (!b.subscription) lines.push(`Subscription:  none (devflow billing:subscribe --team ${b.team} --plan pro)`);
  else {
    const s = b.subscription;
    lines.push(`Subscription:  ${s.plan}, ${s.status} (${s.id})`);
    if (s.currentPeriodEnd) lines.push(`Period ends:   ${s.currentPeriodEnd}`);
    if (s.graceUntil) lines.push(`Grace until:   ${s.graceUntil} (then the free plan's quotas; running apps keep running)`);
  }
  return lines.join('\n');
}

export async function showBilling({ opts }: CommandInput<TeamOption>): Promise<void> {
  const billing = await createClient(process.env).request<TeamBillingView>('GET', teamPath(opts.team));
  print(opts, billing, () => formatBilling(billing));
}

export async function subscribe({ opts }: CommandInput<TeamOption & { plan: string }>): Promise<void> {
  const link = await createClient(process.env).request<{ url: string; sessionId: string }>('POST', `${teamPath(opts.team)}/checkout`, { plan: opts.plan });
  print(opts, link, () => `Open this link to subscribe team ${opts.team} to the ${opts.plan} plan (Stripe Checkout):\n${link.url}\nThe plan changes when Stripe confirms the payment.`);
}

export async function portal({ opts }: CommandInput<TeamOption>): Promise<void> {
  const link = await createClient(process.env).request<{ url: string }>('POST', `${teamPath(opts.team)}/portal`);
  print(opts, link, () => `Open this link to manage team ${opts.team}'s subscription (Stripe customer portal):\n${link.url}`);
}
