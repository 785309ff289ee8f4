/**
 * How DevFlow reaches a web container (issue 15), the one address the embedded router, the
 * Traefik file, the health checks and the reconciler all use (Instance.upstream). Pure: the
 * docker driver (docker.ts) gathers the facts and applies the choice.
 *
 * Two ways:
 * - **bridge**: the container's own address on DevFlow's bridge network, port 5000. Only when
 *   the engine is local (a unix socket) and the network's bridge is an interface of this host
 *   (not so under Docker Desktop or rootless Docker, whose bridges live in a VM or a namespace
 *   of their own). Publishing a port costs the engine iptables rules and a `docker-proxy`
 *   process per container at every start, and every request a hop through that proxy
 *   (bench/docker-start.ts measured the start, docs/benchmarks.md).
 * - **published**: an ephemeral port on the engine host's 127.0.0.1 (a remote engine, DOCKER_HOST
 *   tcp:// or ssh://, whose bridge addresses this host cannot reach).
 */
import type { Instance } from '../../core/types.js';
import { CONTAINER_PORT } from './types.js';

export type UpstreamRoute = { kind: 'published' } | { kind: 'bridge'; network: string };

export const PUBLISHED: UpstreamRoute = { kind: 'published' };

/** What the choice depends on, read by the driver. */
export interface EngineReach {
  /** The engine is spoken to over a unix socket (the default /var/run/docker.sock, DOCKER_HOST unix://). */
  engineIsLocal: boolean;
  /** The bridge network's Linux interface exists in this host's network namespace (/sys/class/net). */
  bridgeInterfaceHere: boolean;
}

export function chooseUpstreamRoute(reach: EngineReach, network: string): UpstreamRoute {
  return reach.engineIsLocal && reach.bridgeInterfaceHere ? { kind: 'bridge', network } : PUBLISHED;
}

/** A bridge network as the engine describes it (GET /networks/{id}), reduced to what matters here. */
export interface BridgeNetworkInfo {
  Id: string;
  Options?: Record<string, string> | null;
}

/**
 * The host interface of a bridge network: the name it was given (docker0 for the default
 * `bridge`), else the engine's own rule, `br-` and the first 12 characters of the network id.
 */
export function bridgeInterfaceName(network: BridgeNetworkInfo): string {
  return network.Options?.['com.docker.network.bridge.name'] || `br-${network.Id.slice(0, 12)}`;
}

/** A container's addresses per network, as both `docker ps` and `docker inspect` report them. */
export type NetworkAddresses = Record<string, { IPAddress?: string } | undefined> | undefined;

/**
 * The upstream of a running web container. On the bridge route, its address on the route's
 * network, else on any network (a container started before the route existed, on the default
 * bridge, is reached there too, skipping its proxy); else, and on the published route, its
 * published port on 127.0.0.1; null when it has neither.
 */
export function webUpstream(route: UpstreamRoute, publishedPort: number | undefined, networks: NetworkAddresses): Instance['upstream'] {
  if (route.kind === 'bridge') {
    const address = networks?.[route.network]?.IPAddress || Object.values(networks ?? {}).find((n) => n?.IPAddress)?.IPAddress;
    if (address) return { host: address, port: CONTAINER_PORT };
  }
  return publishedPort === undefined ? null : { host: '127.0.0.1', port: publishedPort };
}
