import { describe, expect, it } from 'vitest';
import { decideRequest, type RequestFacts } from './resolve.js';
import { buildRoutingTable } from './table.js';

const up = { host: '127.0.0.1', port: 5000 };
const table = buildRoutingTable({
  domain: 'localhost',
  apps: [
    { name: 'web', upstreams: [up] },
    { name: 'secure', upstreams: [up], httpsRedirect: true },
    { name: 'down', upstreams: [], state: 'crashed' },
    { name: 'idle', upstreams: [] },
  ],
});
const challenge = (url: string): string | undefined => (url === '/.well-known/acme-challenge/tok' ? 'tok.key' : undefined);

function decide(facts: Partial<RequestFacts>, httpsPort: number | null = 8443): string {
  const action = decideRequest(table, {
    method: 'GET', url: '/', host: 'web.localhost', hostCount: 1, upgrade: false, encrypted: false, ...facts,
  }, { challenge, httpsPort: httpsPort ?? undefined });
  switch (action.kind) {
    case 'challenge': return `challenge ${action.keyAuthorization}`;
    case 'fail': return `fail ${action.failure.kind}`;
    case 'redirect': return `redirect ${action.location}`;
    case 'forward': return `forward ${action.route.app}`;
    case 'upgrade': return `upgrade ${action.route.app}`;
  }
}

describe('decideRequest', () => {
  it.each([
    [{}, 'forward web'],
    [{ host: 'WEB.localhost:80' }, 'forward web'],
    [{ host: undefined }, 'fail missing-host'],
    [{ hostCount: 2 }, 'fail duplicate-host'],
    [{ host: 'nope.localhost' }, 'fail unknown-host'],
    [{ host: 'down.localhost' }, 'fail crashed'],
    [{ host: 'idle.localhost' }, 'fail no-instance'],
    [{ method: 'CONNECT', host: 'web.localhost:443' }, 'fail connect-method'],
    [{ url: '/.well-known/acme-challenge/tok', host: 'nope.localhost' }, 'challenge tok.key'],
    [{ url: '/.well-known/acme-challenge/tok', host: 'secure.localhost' }, 'challenge tok.key'],
    [{ url: '/.well-known/acme-challenge/tok', method: 'POST' }, 'forward web'],
    [{ url: '/.well-known/acme-challenge/other' }, 'forward web'],
    [{ host: 'secure.localhost', url: '/a?b=1' }, 'redirect https://secure.localhost:8443/a?b=1'],
    [{ host: 'secure.localhost', encrypted: true }, 'forward secure'],
    [{ upgrade: true }, 'upgrade web'],
    [{ upgrade: true, host: 'secure.localhost' }, 'upgrade secure'],
    [{ upgrade: true, host: 'down.localhost' }, 'fail crashed'],
  ])('%j → %s', (facts, expected) => {
    expect(decide(facts)).toBe(expected);
  });

  it('does not redirect when the proxy serves no HTTPS', () => {
    expect(decide({ host: 'secure.localhost' }, null)).toBe('forward secure');
  });
});
