/**
 * A stand-in for a Vespa container endpoint, for the vespa add-on's tests: no Vespa can be
 * installed or pulled on these machines (MACHINE.md). It answers the two calls the add-on makes
 * as Vespa 8 does: `GET /state/v1/health` (`{"status": {"code": "up"}}`, or "initializing") and
 * `GET /ApplicationStatus` (200 with the application's generation once one is deployed, 404
 * before). With `credentials`, requests without that basic auth get 401, as a proxy in front
 * of Vespa would answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VespaStandIn {
  url: string;
  state: { code: 'up' | 'initializing'; deployed: boolean };
  close(): Promise<void>;
}

export async function startVespaStandIn(options: { credentials?: string } = {}): Promise<VespaStandIn> {
  const state: VespaStandIn['state'] = { code: 'up', deployed: true };
  const expected = options.credentials === undefined ? undefined : `Basic ${Buffer.from(options.credentials).toString('base64')}`;
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (expected !== undefined && req.headers.authorization !== expected) return send(401, { message: 'unauthorized' });
    if (req.method === 'GET' && req.url === '/state/v1/health') return send(200, { status: { code: state.code } });
    if (req.method === 'GET' && req.url === '/ApplicationStatus') {
      return state.deployed ? send(200, { application: { meta: { generation: 3 } } }) : send(404, { message: 'no application' });
    }
    send(404, { message: `the stand-in does not serve ${req.method} ${req.url}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
