/** ps, ps:scale (issue 4): the formation and its instances; every check happens in the API. */
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface FormationView { type: string; replicas: number; size: string; memoryMb: number; cpus: number }
interface InstanceView { id: string | null; type: string; slot: number; release: number; state: string; lastLines?: string[] }
interface ProcessesView { release: number | null; formation: FormationView[]; instances: InstanceView[] }

const path = (app: string, rest: string) => `/apps/${encodeURIComponent(app)}${rest}`;

/** `web=3`, `worker=2:eco`, `web=:performance` → the PATCH body for that type. */
export function parseScaleArgument(arg: string): { type: string; body: { replicas?: number | string; size?: string } } {
  const m = /^([^=]+)=([^:]*)(?::(.*))?$/.exec(arg);
  if (!m || (m[2] === '' && m[3] === undefined)) {
    throw new CliError(`"${arg}" is not TYPE=COUNT[:SIZE]: e.g. devflow ps:scale web=2 worker=1:eco --app my-app`, 'usage');
  }
  const count = m[2]!;
  const replicas = /^-?\d+$/.test(count) ? Number(count) : count;
  return { type: m[1]!, body: { ...(count === '' ? {} : { replicas }), ...(m[3] === undefined ? {} : { size: m[3] }) } };
}

function formatProcesses(app: string, view: ProcessesView): string {
  if (view.release === null) return `${app} has no release yet: git push to deploy`;
  const lines: string[] = [];
  for (const f of view.formation) {
    lines.push(`=== ${f.type} (${f.size}: ${f.memoryMb} MB, ${f.cpus} CPU): ${f.replicas}`);
    for (const i of view.instances.filter((x) => x.type === f.type)) {
      lines.push(`${`${i.type}.${i.slot}`.padEnd(12)} ${i.state.padEnd(10)} v${i.release}\t${i.id ?? ''}`);
      for (const line of i.lastLines ?? []) lines.push(`    ${line}`);
    }
  }
  return lines.join('\n');
}

export async function showProcesses({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const view = await createClient(process.env).request<ProcessesView>('GET', path(app, '/processes'));
  print(opts, view, () => formatProcesses(app, view));
}

export async function scaleProcesses({ app, args: changes, opts }: CommandInput<OutputOptions>): Promise<void> {
  const scaling = changes.map(parseScaleArgument);
  const client = createClient(process.env);
  const results: FormationView[] = [];
  for (const { type, body } of scaling) {
    results.push(await client.request<FormationView>('PATCH', path(app, `/processes/${encodeURIComponent(type)}`), body));
  }
  print(opts, results, () => `Scaled ${app}: ${results.map((r) => `${r.type}=${r.replicas}:${r.size}`).join(', ')}`);
}
