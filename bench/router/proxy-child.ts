/**
 * DevFlow's embedded proxy alone in a process, for bench/router.ts: `node --import tsx
 * proxy-child.ts <upstreamPort> <routes>` builds a table of <routes> apps (app0 … appN-1, all on
 * the one upstream), listens on a free loopback port and prints it. Metrics and the ACME
 * challenge check are on, as in `devflow up`.
 */
import { AcmeChallenges } from '../../router/acme/challenges.js';
import { ProxyMetrics } from '../../router/metrics.js';
import { EmbeddedProxy } from '../../router/proxy.js';
import { buildRoutingTable } from '../../router/table.js';

const [upstreamPort, routes] = process.argv.slice(2).map(Number) as [number, number];
const upstream = { host: '127.0.0.1', port: upstreamPort };
const proxy = new EmbeddedProxy({ metrics: new ProxyMetrics(), challenges: new AcmeChallenges() });
proxy.setTable(buildRoutingTable({
  domain: 'localhost',
  apps: Array.from({ length: routes }, (_, i) => ({ name: `app${i}`, upstreams: [upstream] })),
}));
const port = await proxy.listen(0, '127.0.0.1');
console.log(`port ${port}`);
process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
