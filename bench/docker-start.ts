/**
 * What publishing the web port costs a container's start (issue 15): `docker create` + `start`
 * (+ the `inspect` the docker runtime makes for the upstream address) of the same image, and the
 * time until the app first answers HTTP at that address, three ways taking turns (A B C A B C …)
 * so a slower moment of the machine reaches all alike:
 *
 * - published: the default bridge with the web port published on 127.0.0.1 (DevFlow up to
 *   session 10): the engine adds iptables rules and, with its userland proxy on (Debian's
 *   dockerd default), a `docker-proxy` process per container; the app is reached through it.
 * - bridge: the default bridge, no published port; the app is reached at the container's own
 *   address on the bridge.
 * - own network: a user-defined bridge with inter-container traffic off
 *   (com.docker.network.bridge.enable_icc=false), no published port; reached at its address.
 *
 * - own network, icc on: the same user-defined bridge with inter-container traffic on, to tell
 *   what the isolation rules cost from what a user-defined network (its embedded DNS) costs.
 * - no network (floor): `NetworkMode: none`, what create and start cost with no networking at all;
 *   "answered" is not measured there (nothing can reach it).
 * - joined a ready namespace: the container joins (`NetworkMode: container:<holder>`) the network
 *   namespace of a holder container already running on the own network, as a pod's pause
 *   container does; the holder's own start is not timed (it would overlap the build).
 *
 * The container runs `node -e <an HTTP server>` from the runtime tests' node image. Removal is
 * timed apart (a published port's rules and proxy are undone there too).
 *
 *   node --import tsx bench/docker-start.ts [--runs 10]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import Docker from 'dockerode';
import { ensureNodeTestImage } from '../scheduler/runtime/test-support.js';
import { machine, median, now, numberFlag, sleep, writeResult } from './lib/devflow.js';

const RUNS = numberFlag('--runs', 10);
const SERVER = "require('http').createServer((q, s) => s.end('ok')).listen(5000)";
const docker = new Docker();
const suffix = randomBytes(3).toString('hex');
const NETWORK = `devflow-bench-${suffix}`;
const NETWORK_ICC = `devflow-bench-icc-${suffix}`;

type Way = 'published' | 'bridge' | 'own network' | 'own network, icc on' | 'no network (floor)' | 'joined a ready namespace';
const WAYS: Way[] = ['published', 'bridge', 'own network', 'own network, icc on', 'no network (floor)', 'joined a ready namespace'];
const JOINED: Way = 'joined a ready namespace';
const NETWORK_OF: Partial<Record<Way, string>> = { 'own network': NETWORK, 'own network, icc on': NETWORK_ICC, 'no network (floor)': 'none' };

interface Sample { create: number; start: number; inspect: number; answered: number; remove: number }

function createOptions(way: Way, image: string, holder?: string): Docker.ContainerCreateOptions {
  if (holder !== undefined) return { name: `devflow-bench-start-${suffix}-${randomBytes(2).toString('hex')}`, Image: image, Cmd: ['node', '-e', SERVER], HostConfig: { NetworkMode: `container:${holder}` } };
  return {
    name: `devflow-bench-start-${suffix}-${randomBytes(2).toString('hex')}`,
    Image: image,
    Cmd: ['node', '-e', SERVER],
    ExposedPorts: { '5000/tcp': {} },
    HostConfig: {
      ...(way === 'published' ? { PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
      ...(NETWORK_OF[way] === undefined ? {} : { NetworkMode: NETWORK_OF[way] }),
    },
  };
}

function addressOf(way: Way, info: Docker.ContainerInspectInfo): { host: string; port: number } {
  if (way === 'published') return { host: '127.0.0.1', port: Number(info.NetworkSettings.Ports['5000/tcp']![0]!.HostPort) };
  const network = NETWORK_OF[way] ?? 'bridge';
  return { host: info.NetworkSettings.Networks[network]!.IPAddress, port: 5000 };
}

function answers(address: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ ...address, path: '/', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function sample(way: Way, image: string): Promise<Sample> {
  let holder: Docker.Container | undefined;
  if (way === JOINED) {
    holder = await docker.createContainer({ ...createOptions('own network', image), Cmd: ['node', '-e', 'setInterval(() => {}, 1e9)'] });
    await holder.start();
  }
  const t0 = now();
  const container = await docker.createContainer(createOptions(way, image, holder?.id));
  const t1 = now();
  await container.start();
  const t2 = now();
  const info = holder === undefined ? await container.inspect() : await holder.inspect();
  const t3 = now();
  if (way !== 'no network (floor)') {
    const address = addressOf(holder === undefined ? way : 'own network', info);
    while (!(await answers(address))) await sleep(5);
  }
  const t4 = now();
  await container.remove({ force: true });
  await holder?.remove({ force: true });
  return { create: t1 - t0, start: t2 - t1, inspect: t3 - t2, answered: t4 - t0, remove: now() - t4 };
}

async function dockerdFlags(): Promise<string> {
  for (const pid of await fs.readdir('/proc')) {
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.split('\0')[0]?.endsWith('dockerd')) return cmd.split('\0').slice(1).join(' ') || '(no flags: userland proxy on)';
  }
  return '(dockerd not found in /proc)';
}

async function main(): Promise<void> {
  const image = await ensureNodeTestImage(docker);
  await docker.createNetwork({ Name: NETWORK, Driver: 'bridge', Options: { 'com.docker.network.bridge.enable_icc': 'false' } });
  await docker.createNetwork({ Name: NETWORK_ICC, Driver: 'bridge' });
  const samples = Object.fromEntries(WAYS.map((way) => [way, [] as Sample[]])) as Record<Way, Sample[]>;
  const loadBefore = os.loadavg()[0]!;
  try {
    for (const way of WAYS) await sample(way, image); // warm-up, not counted
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? WAYS : [...WAYS].reverse();
      for (const way of order) samples[way].push(await sample(way, image));
    }
  } finally {
    for (const name of [NETWORK, NETWORK_ICC]) await docker.getNetwork(name).remove().catch(() => {});
  }
  const loadAfter = os.loadavg()[0]!;
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const rows = WAYS.map((way) => {
    const s = samples[way];
    const m = (k: keyof Sample) => ms(median(s.map((x) => x[k])));
    const range = (k: keyof Sample) => `${m(k)} (${ms(Math.min(...s.map((x) => x[k])))}–${ms(Math.max(...s.map((x) => x[k])))})`;
    const answered = way === 'no network (floor)' ? '-' : range('answered');
    return `| ${way} | ${m('create')} | ${range('start')} | ${m('inspect')} | ${answered} | ${m('remove')} |`;
  });
  await writeResult('docker-start', [
    `#### Container start with and without a published port, ${machine()}`,
    '',
    `Median of ${RUNS} runs each, taking turns; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}; dockerd flags: ${await dockerdFlags()}.`,
    '"answered": from create until the app first answers HTTP at the address DevFlow would route to.',
    '',
    '| way | create | start (range) | inspect | create → answered (range) | remove |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'));
}

await main();
