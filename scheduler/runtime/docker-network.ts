/**
 * DevFlow's bridge network for app containers, and the facts the upstream route is chosen from
 * (docker-upstream.ts): is the engine local, and is the network's bridge an interface of this
 * host. Docker Engine API: GET/POST /networks.
 *
 * The network is a plain bridge with inter-container traffic off
 * (`com.docker.network.bridge.enable_icc=false`): one app's container cannot open a connection
 * to another's, whatever its tenant, while this host (the router, Traefik on host networking,
 * the health checks) reaches each of them, and they reach this host (the app databases and
 * DevFlow's services listen on the default bridge's gateway, admitted by pg_hba from Docker's
 * default address pool, core/embedded-postgres/docker-bridge.ts). Every DevFlow on an engine
 * shares it; it is created on first need and never removed.
 */
import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { LABEL } from './docker-plan.js';
import { bridgeInterfaceName, chooseUpstreamRoute, type BridgeNetworkInfo, type UpstreamRoute } from './docker-upstream.js';

export const APPS_NETWORK = 'devflow-apps';

export const APPS_NETWORK_OPTIONS = { 'com.docker.network.bridge.enable_icc': 'false' } as const;

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Whether dockerode speaks to its engine over a local socket: docker-modem then holds a
 * socketPath (a path, or its function that finds the default socket); for tcp:// and ssh:// it
 * holds a host instead.
 */
export function engineIsLocal(docker: Docker): boolean {
  const socketPath = (docker as unknown as { modem?: { socketPath?: unknown } }).modem?.socketPath;
  return typeof socketPath === 'string' ? socketPath !== '' : typeof socketPath === 'function';
}

/** The network, created when absent (two DevFlows creating it at once: the second finds it). */
export async function ensureAppsNetwork(docker: Docker): Promise<BridgeNetworkInfo> {
  const network = docker.getNetwork(APPS_NETWORK);
  try {
    return (await network.inspect()) as BridgeNetworkInfo;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  await docker.createNetwork({
    Name: APPS_NETWORK, Driver: 'bridge', CheckDuplicate: true, Options: { ...APPS_NETWORK_OPTIONS }, Labels: { [LABEL.managed]: 'true' },
  }).catch((err: unknown) => {
    if (statusOf(err) !== 409) throw err;
  });
  return (await network.inspect()) as BridgeNetworkInfo;
}

/** The route for this driver's engine: the network is only made when it could be used. */
export async function decideUpstreamRoute(docker: Docker, interfaceExists = (name: string) => existsSync(`/sys/class/net/${name}`)): Promise<UpstreamRoute> {
  if (!engineIsLocal(docker)) return chooseUpstreamRoute({ engineIsLocal: false, bridgeInterfaceHere: false }, APPS_NETWORK);
  const network = await ensureAppsNetwork(docker);
  return chooseUpstreamRoute({ engineIsLocal: true, bridgeInterfaceHere: interfaceExists(bridgeInterfaceName(network)) }, APPS_NETWORK);
}
