/** alerts, alerts:add, alerts:remove: an app's alert rules (issue 18) and what they sent. */
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface AlertRuleView { id: number; if: string; notify: string; status: string; since: string | null; lastValue: number | null }
interface HistoryView { ruleId: number; status: string; at: string; deliveredAt: string | null; attempts: number; lastError: string | null }

const alertsPath = (app: string) => `/apps/${encodeURIComponent(app)}/alerts`;

export function formatAlertRule(r: AlertRuleView): string {
  const state = r.status === 'ok' ? 'ok' : `${r.status} since ${r.since}`;
  return `${String(r.id).padEnd(5)} ${r.if.padEnd(30)} ${state.padEnd(40)} → ${r.notify}`;
}

function formatHistory(h: HistoryView): string {
  const delivery = h.deliveredAt ? 'sent' : h.lastError ? `not sent (${h.attempts} tries): ${h.lastError}` : 'sending';
  return `${h.at}  rule ${h.ruleId}  ${h.status.padEnd(8)}  ${delivery}`;
}

export async function listAlerts({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const data = await createClient(process.env).request<{ rules: AlertRuleView[]; history: HistoryView[] }>('GET', alertsPath(app));
  print(opts, data, () => {
    if (data.rules.length === 0) return `${app} has no alert rules: devflow alerts:add ${app} --if '5xx_rate > 5% for 5m' --notify <url|mailto:…>`;
    const history = data.history.length === 0 ? [] : ['', 'Notifications:', ...data.history.slice(0, 10).map(formatHistory)];
    return [...data.rules.map(formatAlertRule), ...history].join('\n');
  });
}

export async function addAlert({ app, opts }: CommandInput<OutputOptions & { if?: string; notify?: string }>): Promise<void> {
  if (!opts.if || !opts.notify) throw new CliError("give both --if '<condition>' and --notify <url|mailto:…>", 'usage');
  const rule = await createClient(process.env).request<AlertRuleView>('POST', alertsPath(app), { if: opts.if, notify: opts.notify });
  print(opts, rule, () => `added alert ${rule.id} on ${app}: ${rule.if} → ${rule.notify}`);
}

export async function removeAlert({ app, args }: CommandInput<OutputOptions>): Promise<void> {
  const id = args[0] ?? '';
  if (!/^\d+$/.test(id)) throw new CliError(`the rule id is a number from \`devflow alerts ${app}\`, got "${id}"`, 'usage');
  await createClient(process.env).request('DELETE', `${alertsPath(app)}/${id}`);
  console.log(`removed alert ${id} from ${app}`);
}
