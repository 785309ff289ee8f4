/**
 * Router benchmark (issue 5, "Measure"): the same upstream (nginx answering a fixed body) reached
 * directly (the floor), through nginx as a reverse proxy, and through DevFlow's embedded proxy,
 * with 1 and with 10,000 routes configured, in the same run, with the same load tool (wrk, one
 * thread, keep-alive connections) at a moderate load, where latency is compared, and saturated at
 * two concurrencies, where throughput is.
 *
 * The targets take turns, BENCH_ROUNDS times (default 3), and each figure is the median of its
 * rounds: on two cores shared by wrk, the upstream and the proxy, one measurement of a proxy can
 * differ by a fifth from the next. Beside requests/s, the proxies' CPU time per request (user and
 * system, from /proc) is reported, which moves much less.
 *
 *   node --import tsx bench/router.ts        (BENCH_SECONDS=10 by default per measurement)
 *
 * BENCH_ROUTER_TRACING=1 adds the DevFlow proxy with router tracing on (issue 18), compared with
 * the same nginx; BENCH_ROUTER_BIG=0 leaves the 10,000-route targets out. BENCH_ROUTER_METERING=1
 * adds the DevFlow proxy with no traffic counters (metering off, issue 20) beside the default
 * (metering on: requests and egress bytes counted per app, which billing flushes off the path).
 * BENCH_ROUTER_BASELINE=<dir> adds the traced proxy of another checkout (its own
 * bench/router/proxy-child.ts, e.g. `git worktree add <dir> <commit>`), so a change to the
 * router is compared with the code before it in the same run. BENCH_ROUTER_SATURATED=1 leaves the
 * paced (latency) load out, for throughput comparisons in less time. BENCH_ROUTER_AA=1 adds a second
 * copy of the untraced proxy, the same code in another process: its paired "drop" against the
 * first is what two identical processes differ by in this run, the noise floor any other paired
 * figure (tracing's cost) has to be read against.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../core/embedded-postgres/embedded.js';
import { machine, writeResult } from './lib/devflow.js';
import { childPids, cpuTime } from './router/cpu.js';
import { proxyConfig, startNginx, upstreamConfig, type Nginx } from './router/nginx.js';
import { pairedDrop } from './router/paired.js';
import { BROWSER_FIELDS, runWrk, type Load, type LoadResult } from './router/wrk.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * A moderate load first (16 connections pausing 1 ms between requests: a fifth or so of what
 * nginx can do here), where latency is measured; then the proxies saturated, where throughput is,
 * with wrk's one-field requests and with a browser's twelve fields.
 */
const ALL_LOADS: Load[] = [{ connections: 16, pauseMs: 1 }, { connections: 16 }, { connections: 64 }, { connections: 16, fields: BROWSER_FIELDS }];
/** BENCH_ROUTER_LOADS=<i,j>: only those loads of ALL_LOADS (0-based), e.g. `1` for 16 connections saturated. */
const PICKED = process.env.BENCH_ROUTER_LOADS?.split(',').map(Number);
const LOADS = (PICKED === undefined ? ALL_LOADS : ALL_LOADS.filter((_, i) => PICKED.includes(i)))
  .filter((l) => process.env.BENCH_ROUTER_SATURATED !== '1' || l.pauseMs === undefined);
const BIG = 10_000;
const HOST = 'app0.localhost';
// The last app in the big table, so a linear scan (if there were one) would pay in full.
const BIG_HOST = `app${BIG - 1}.localhost`;

interface Target {
  name: string;
  port: number;
  host: string;
  /** The process that does the proxying, whose CPU time is read; none for the floor. */
  pid?: number;
  stop(): Promise<void>;
}

interface Measured extends LoadResult {
  /** CPU microseconds per request, user and system. */
  userUs?: number;
  systemUs?: number;
}

const TRACED = ', tracing on';
const UNMETERED = ', metering off';
const BASELINE = ', tracing on, baseline';
const COPY = ', second copy (A/A)';

async function startDevflowProxy(
  upstreamPort: number, routes: number, mode: 'traced' | 'unmetered' | 'copy' | undefined = undefined, tree = path.join(import.meta.dirname, '..'),
): Promise<Target & { child: ChildProcess }> {
  const script = path.join(tree, 'bench', 'router', 'proxy-child.ts');
  const baseline = tree !== path.join(import.meta.dirname, '..');
  // The copy is the default proxy, started a second time.
  const args = ['--import', 'tsx', script, String(upstreamPort), String(routes), ...(mode && mode !== 'copy' ? [mode] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: tree });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /port (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
  });
  return {
    name: `DevFlow proxy, ${routes.toLocaleString('en')} route${routes === 1 ? '' : 's'}${baseline ? BASELINE : mode === 'traced' ? TRACED : mode === 'unmetered' ? UNMETERED : mode === 'copy' ? COPY : ''}`,
    port,
    host: routes === 1 ? HOST : BIG_HOST,
    child,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startNginxProxy(upstreamPort: number, routes: number): Promise<Target> {
  const port = await freePort();
  const nginx: Nginx = await startNginx(port, (prefix) => proxyConfig(prefix, port, upstreamPort, routes));
  // With 10,000 server blocks the master takes a while to fork its worker.
  let worker: number | undefined;
  for (let tries = 0; worker === undefined && tries < 100; tries++) {
    worker = childPids(nginx.pid)[0];
    if (worker === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  return { name: `nginx, ${routes.toLocaleString('en')} route${routes === 1 ? '' : 's'}`, port, host: routes === 1 ? HOST : BIG_HOST, pid: worker, stop: () => nginx.stop() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median of each figure over the rounds. */
function summarize(rounds: Measured[]): Measured {
  const of = (pick: (m: Measured) => number | undefined) => {
    const values = rounds.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : median(values);
  };
  return {
    requestsPerSecond: of((m) => m.requestsPerSecond)!, p50Ms: of((m) => m.p50Ms)!, p99Ms: of((m) => m.p99Ms)!,
    errors: rounds.reduce((sum, m) => sum + m.errors, 0), userUs: of((m) => m.userUs), systemUs: of((m) => m.systemUs),
  };
}

function tracingCostLine(load: Load, what: string, drop: ReturnType<typeof pairedDrop>): string {
  const interval = drop.low === undefined ? '- (too few rounds)' : `${drop.low.toFixed(1)} to ${drop.high!.toFixed(1)}`;
  const confidence = drop.confidence === undefined ? '-' : `${(drop.confidence * 100).toFixed(1)} %`;
  return `| ${describeLoad(load)} | ${what} | ${drop.median.toFixed(1)} | ${interval} | ${confidence} | ${drop.drops.map((d) => d.toFixed(1)).join(', ')} |`;
}

function describeLoad(load: Load): string {
  let text = `${load.connections}`;
  if (load.pauseMs !== undefined) text += `, ${load.pauseMs} ms pause`;
  if (load.fields !== undefined) text += `, browser head (${load.fields.length + 1} fields)`;
  return text;
}

async function measure(target: Target, load: Load): Promise<Measured> {
  await runWrk(target.port, target.host, load, 2); // warm-up: JIT, pools
  const before = target.pid === undefined ? undefined : cpuTime(target.pid);
  const result = await runWrk(target.port, target.host, load, SECONDS);
  if (before === undefined) return result;
  const after = cpuTime(target.pid!);
  const requests = result.requestsPerSecond * SECONDS;
  return { ...result, userUs: ((after.userSeconds - before.userSeconds) / requests) * 1e6, systemUs: ((after.systemSeconds - before.systemSeconds) / requests) * 1e6 };
}

function row(target: string, load: Load, r: Measured, floor: Measured, nginx: Measured | undefined, ratios: number[]): string {
  const added = (a: number, b: number) => (r === floor ? '-' : (a - b).toFixed(2));
  // Paced requests measure latency: every target gets about the same offered load, so their
  // requests/s say nothing of capacity.
  const vsNginx = nginx && load.pauseMs === undefined ? `${Math.round((r.requestsPerSecond / nginx.requestsPerSecond) * 100)}% (${Math.min(...ratios)}–${Math.max(...ratios)}%)` : '-';
  const cpu = r.userUs === undefined ? '-' : `${r.userUs.toFixed(1)} + ${r.systemUs!.toFixed(1)}`;
  return `| ${target} | ${describeLoad(load)} | ${Math.round(r.requestsPerSecond).toLocaleString('en')} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ` +
    `${added(r.p50Ms, floor.p50Ms)} | ${added(r.p99Ms, floor.p99Ms)} | ${cpu} | ${vsNginx} | ${r.errors} |`;
}

/**
 * BENCH_ROUTER_PIN=1: this process, wrk and the upstream on the first core, each proxy (all its
 * threads) on the second, so a proxy's throughput is bounded by its own core rather than by what
 * the other processes took of it that second: on two cores the unpinned rounds move by a fifth.
 */
const PIN = process.env.BENCH_ROUTER_PIN === '1';

function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

async function main(): Promise<void> {
  if (PIN) pin(process.pid, 0);
  const upstreamPort = await freePort();
  const upstream = await startNginx(upstreamPort, (prefix) => upstreamConfig(prefix, upstreamPort));
  const direct: Target = { name: 'direct to upstream (floor)', port: upstreamPort, host: HOST, stop: async () => undefined };
  const targets: Target[] = [direct];
  try {
    targets.push(await startNginxProxy(upstreamPort, 1), await startDevflowProxy(upstreamPort, 1));
    if (process.env.BENCH_ROUTER_TRACING === '1') targets.push(await startDevflowProxy(upstreamPort, 1, 'traced'));
    const baselineTree = process.env.BENCH_ROUTER_BASELINE;
    if (baselineTree !== undefined) targets.push(await startDevflowProxy(upstreamPort, 1, 'traced', path.resolve(baselineTree)));
    if (process.env.BENCH_ROUTER_METERING === '1') targets.push(await startDevflowProxy(upstreamPort, 1, 'unmetered'));
    if (process.env.BENCH_ROUTER_AA === '1') targets.push(await startDevflowProxy(upstreamPort, 1, 'copy'));
    if (process.env.BENCH_ROUTER_BIG !== '0') targets.push(await startNginxProxy(upstreamPort, BIG), await startDevflowProxy(upstreamPort, BIG));
    if (PIN) for (const target of targets) if (target.pid !== undefined) pin(target.pid, 1);
    const lines: string[] = [];
    const costs: string[] = [];
    for (const load of LOADS) {
      const rounds = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
      for (let round = 1; round <= ROUNDS; round++) {
        // Every other round runs the targets backwards, so no target always follows the same one.
        for (const target of round % 2 === 1 ? targets : [...targets].reverse()) {
          const result = await measure(target, load);
          rounds.get(target.name)!.push(result);
          console.error(`round ${round}, ${target.name}, ${describeLoad(load)} connections: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
        }
      }
      const results = new Map([...rounds].map(([name, measured]) => [name, summarize(measured)]));
      const floor = results.get(direct.name)!;
      for (const target of targets) {
        const peerName = target.name.startsWith('DevFlow') ? target.name.replace('DevFlow proxy', 'nginx').replace(BASELINE, '').replace(TRACED, '').replace(UNMETERED, '').replace(COPY, '') : undefined;
        // The ratio of each round, nginx's and DevFlow's turns being minutes apart at most.
        const ratios = peerName === undefined ? [] : rounds.get(target.name)!.map((m, i) => Math.round((m.requestsPerSecond / rounds.get(peerName)![i]!.requestsPerSecond) * 100));
        lines.push(row(target.name, load, results.get(target.name)!, floor, peerName === undefined ? undefined : results.get(peerName), ratios));
      }
      const off = rounds.get('DevFlow proxy, 1 route')!;
      const nginx = rounds.get('nginx, 1 route')!;
      for (const [suffix, what] of [[TRACED, 'tracing on'], [COPY, 'A/A: the same untraced proxy again']] as const) {
        const other = rounds.get(`DevFlow proxy, 1 route${suffix}`);
        if (other === undefined || load.pauseMs !== undefined) continue;
        costs.push(tracingCostLine(load, what, pairedDrop(other.map((on, i) => ({ nginx: nginx[i]!.requestsPerSecond, off: off[i]!.requestsPerSecond, on: on.requestsPerSecond })))));
      }
    }
    await writeResult('router', [
      `### Router, ${machine()}`,
      '',
      `wrk -t1, keep-alive, ${SECONDS} s per measurement after a 2 s warm-up, targets taking turns, medians of ${ROUNDS} rounds; ` +
        'upstream: nginx returning a fixed 24-byte body; proxies: one worker/one process each. ' +
        'Load: connections, each sending its next request when it has the answer, or after a pause (a moderate load, for latency); ' +
        'requests carry only Host, or a browser head (Host and eleven fields Chromium sends with a page request). ' +
        'CPU: the proxy process\'s user + system microseconds per request. Throughput vs nginx: of the medians (range of the rounds), saturated loads only.' +
        (PIN ? ' Pinned: wrk, the upstream and this bench on the first core, each proxy on the second.' : ''),
      '',
      '| path | load | requests/s | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs/request | throughput vs nginx | errors |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...lines,
      '',
      ...(costs.length === 0 ? [] : [
        'Paired by round: (untraced − other) / nginx of the same round, in points, for tracing on and (with BENCH_ROUTER_AA=1) for a second copy of the untraced proxy; the median, with the interval that holds the true median at the confidence shown (order statistics), and each round\'s figure.',
        '',
        '| load | other proxy | median drop, points | interval | confidence | rounds |',
        '| --- | --- | --- | --- | --- | --- |',
        ...costs,
        '',
      ]),
    ].join('\n'));
  } finally {
    for (const target of targets) await target.stop();
    await upstream.stop();
  }
}

await main();
