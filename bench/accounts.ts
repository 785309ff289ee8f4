/**
 * API latency with permission checks (issue 19): p50/p95/p99 of GET requests sent open-loop at
 * 200 requests/s (each timed from its scheduled send) against `devflow up` holding 20 teams × 50
 * apps, each request made by the signed-in person of one team (membership read, target's team
 * resolved, the permission table applied, lists filtered to the team); beside the same reads
 * with the admin token (the instance: no team filter), in the same run, phases alternating.
 * Runs the built `devflow up` (`npm run bench -- accounts` builds first) on the process runtime.
 * Usage: node --import tsx bench/accounts.ts [seconds-per-phase=15]
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sleep, startDevflow } from './lib/devflow.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const RATE = 200;
const SECONDS = Number(process.argv[2] ?? 15);
const TEAMS = 20;
const APPS_PER_TEAM = 50;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(port: number, token: string | undefined, method: string, urlPath: string, body?: unknown): Promise<{ status: number; text: string }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, agent, headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}),
    } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const appName = (team: number, app: number) => `t${String(team).padStart(2, '0')}-app-${String(app).padStart(2, '0')}`;

interface Reader { token: string; team: number }

/** One phase: RATE requests/s for SECONDS, request i made by readers[i % readers.length]. */
async function phase(port: number, readers: Reader[]): Promise<{ sorted: number[]; errors: number }> {
  const total = RATE * SECONDS;
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now() + 100;
  await Promise.all(Array.from({ length: total }, async (_, i) => {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const reader = readers[i % readers.length]!;
    const app = appName(reader.team, Math.floor(i / readers.length) % APPS_PER_TEAM);
    const route = [`/api/v1/apps`, `/api/v1/apps/${app}`, `/api/v1/apps/${app}/deployments`, `/api/v1/apps/${app}/releases`][i % 4]!;
    const { status } = await request(port, reader.token, 'GET', route);
    if (status !== 200) errors++;
    latencies.push(performance.now() - due);
  }));
  return { sorted: latencies.sort((a, b) => a - b), errors };
}

async function main(): Promise<void> {
  const devflow = await startDevflow('process');
  try {
    const people: Reader[] = [];
    for (let t = 0; t < TEAMS; t++) {
      const signup = await request(devflow.port, undefined, 'POST', '/api/v1/auth/signup', { email: `lead${t}@team${t}.test`, password: 'bench password' });
      const token = (JSON.parse(signup.text) as { accessToken: string }).accessToken;
      await request(devflow.port, token, 'POST', '/api/v1/teams', { name: `team-${t}` });
      // Ten at a time: making 1,000 apps one by one takes longer than the measurement.
      for (let a = 0; a < APPS_PER_TEAM; a += 10) {
        await Promise.all(Array.from({ length: 10 }, async (_, k) => {
          const made = await request(devflow.port, token, 'POST', '/api/v1/apps', { name: appName(t, a + k), team: `team-${t}` });
          if (made.status !== 201) throw new Error(`could not create ${appName(t, a + k)}: ${made.text}`);
        }));
      }
      console.log(`team-${t}: ${APPS_PER_TEAM} apps`);
      people.push({ token, team: t });
    }
    const admin = people.map((p) => ({ token: devflow.token, team: p.team }));
    // Warm up connections and query plans with both kinds of caller.
    for (let i = 0; i < 400; i++) await request(devflow.port, (i % 2 ? admin : people)[i % TEAMS]!.token, 'GET', `/api/v1/apps/${appName(i % TEAMS, i % APPS_PER_TEAM)}`);
    const load = os.loadavg()[0]!.toFixed(2);
    const results = { people: [] as number[], admin: [] as number[] };
    const errors = { people: 0, admin: 0 };
    // Alternating halves, so that both kinds see the same moments of a noisy machine.
    for (const [kind, readers] of [['people', people], ['admin', admin], ['people', people], ['admin', admin]] as const) {
      const r = await phase(devflow.port, readers);
      results[kind].push(...r.sorted);
      errors[kind] += r.errors;
      await sleep(1000);
    }
    const row = (name: string, values: number[], errs: number) => {
      const sorted = values.sort((a, b) => a - b);
      return `| ${name} | ${sorted.length} | ${errs} | ${percentile(sorted, 50).toFixed(1)} ms | ${percentile(sorted, 95).toFixed(1)} ms | ${percentile(sorted, 99).toFixed(1)} ms |`;
    };
    const lines = [
      `API reads at ${RATE} requests/s, ${TEAMS} teams × ${APPS_PER_TEAM} apps (${TEAMS * APPS_PER_TEAM} apps), phases of ${SECONDS} s alternating, load average ${load} at the start (${os.cpus().length} cores):`,
      '', '| caller | requests | non-200 | p50 | p95 | p99 |', '| --- | --- | --- | --- | --- | --- |',
      row('a team member (session; permission check, lists filtered to the team)', results.people, errors.people),
      row('the admin token (the instance)', results.admin, errors.admin),
      '', 'Reads: GET /apps, /apps/{app}, /apps/{app}/deployments, /apps/{app}/releases in turn.',
    ];
    console.log(lines.join('\n'));
    await fs.mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await fs.writeFile(path.join(ROOT, 'bench/results/accounts.md'), `${lines.join('\n')}\n`);
  } finally {
    agent.destroy();
    await devflow.stop();
    await fs.rm(devflow.home, { recursive: true, force: true });
  }
}

await main();
