/**
 * Lets app containers reach the embedded PostgreSQL for their DATABASE_URL. A container cannot
 * reach the host's 127.0.0.1, so the server also listens on the Docker bridge's gateway address
 * (docker0, usually 172.17.0.1; never 0.0.0.0), and pg_hba.conf (PostgreSQL manual, "The
 * pg_hba.conf File") admits Docker's subnets with scram-sha-256 passwords only.
 *
 * Containers on other Docker networks (user bridges, swarm's docker_gwbridge) reach the same
 * gateway address from their own subnets, so every bridge network's subnet is admitted too,
 * plus Docker's default address pool (172.16.0.0/12), which covers networks created after
 * DevFlow started.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { dockerClient, engineAddressFromEnv, engineGet, type EngineAddress } from '../docker-engine.js';

export interface BridgeAccess {
  /** Addresses to listen on besides 127.0.0.1: the default bridge's gateway. */
  listen: string[];
  /** CIDR ranges admitted by pg_hba.conf. */
  subnets: string[];
}

/** What the engine reports for one network (GET /networks), reduced to what matters here. */
export interface EngineNetwork {
  Name: string;
  Driver: string;
  IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null };
}

export const DOCKER_DEFAULT_POOL = '172.16.0.0/12';
const BEGIN = '# devflow: docker bridges (managed by DevFlow, rewritten at each start)';
const END = '# devflow: end';
const IPV4_CIDR = /^\d+\.\d+\.\d+\.\d+\/\d+$/;

/**
 * The engine is asked rather than the host's interfaces: an idle docker0 (no containers) has
 * no carrier, and Node's os.networkInterfaces() leaves such interfaces out. The embedded
 * database asks at every start, on every runtime, so by default the question is a plain HTTP
 * request (docker-engine.ts): dockerode is not loaded for it. A caller that already holds a
 * dockerode client passes it.
 */
export async function engineBridgeAccess(
  engine: EngineAddress | Docker | undefined = engineAddressFromEnv(process.env),
  timeoutMs = 1_500,
): Promise<BridgeAccess> {
  return bridgeAccessFromNetworks(await listNetworks(engine, timeoutMs));
}

/** The engine's networks, or none when no engine answers within `timeoutMs`. */
async function listNetworks(engine: EngineAddress | Docker | undefined, timeoutMs: number): Promise<EngineNetwork[]> {
  // No plain address: the engine is behind TLS or ssh, which only dockerode speaks.
  if (engine === undefined) return listNetworks(await dockerClient(), timeoutMs);
  if (!('listNetworks' in engine)) {
    const response = await engineGet(engine, '/networks', timeoutMs);
    return response?.status === 200 ? (JSON.parse(response.body) as EngineNetwork[]) : [];
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<EngineNetwork[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    return await Promise.race([engine.listNetworks().then((n) => n as EngineNetwork[], () => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function bridgeAccessFromNetworks(networks: readonly EngineNetwork[]): BridgeAccess {
  const subnets = new Set<string>();
  for (const network of networks) {
    if (network.Driver !== 'bridge') continue;
    for (const c of network.IPAM?.Config ?? []) if (c.Subnet && IPV4_CIDR.test(c.Subnet)) subnets.add(networkOf(c.Subnet));
  }
  const gateway = defaultBridgeGateway(networks);
  if (gateway !== undefined) subnets.add(DOCKER_DEFAULT_POOL);
  return { listen: gateway === undefined ? [] : [gateway], subnets: [...subnets] };
}

/**
 * The host's address on the default `bridge` network, which every container can reach: the
 * IPAM gateway when the engine reports one, else the subnet's first address (Docker's rule
 * for docker0, e.g. 172.17.0.1 in 172.17.0.0/16).
 */
export function defaultBridgeGateway(networks: readonly EngineNetwork[]): string | undefined {
  const config = networks.find((n) => n.Name === 'bridge')?.IPAM?.Config?.find((c) => c.Subnet && IPV4_CIDR.test(c.Subnet));
  if (config === undefined) return undefined;
  if (config.Gateway) return config.Gateway;
  const [network] = networkOf(config.Subnet!).split('/');
  const octets = network!.split('.').map(Number);
  octets[3] = octets[3]! + 1;
  return octets.join('.');
}

/** '172.17.0.1/16' → '172.17.0.0/16'. */
export function networkOf(cidr: string): string {
  const [address = '', bitsText = '32'] = cidr.split('/');
  const bits = Number(bitsText);
  const value = address.split('.').reduce((n, octet) => (n << 8) + Number(octet), 0) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const network = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.')}/${bits}`;
}

/** The file's own lines, with DevFlow's block (if any) replaced by one for `subnets`. */
export function hbaWithBridgeBlock(content: string, subnets: readonly string[]): string {
  const lines = content.split('\n');
  const start = lines.indexOf(BEGIN);
  const end = lines.indexOf(END);
  const own = start >= 0 && end > start ? [...lines.slice(0, start), ...lines.slice(end + 1)] : lines;
  while (own.length > 0 && own[own.length - 1] === '') own.pop();
  if (subnets.length === 0) return `${own.join('\n')}\n`;
  const block = [BEGIN, ...subnets.map((s) => `host all all ${s} scram-sha-256`), END];
  return `${[...own, ...block].join('\n')}\n`;
}

export async function writeBridgeHba(dataDir: string, subnets: readonly string[]): Promise<void> {
  const file = path.join(dataDir, 'pg_hba.conf');
  const content = await fs.readFile(file, 'utf8');
  const next = hbaWithBridgeBlock(content, subnets);
  if (next !== content) await fs.writeFile(file, next);
}
