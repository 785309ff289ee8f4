import { describe, expect, it } from 'vitest';
import { routeHealthCheck } from './routes.js';

const check = (path: string, timeout: number) => ({ path, attempts: 5, timeout, wait: 2, initialDelay: 0 });

describe('routeHealthCheck', () => {
  it.each([
    ['no app.json checks', undefined, undefined],
    ['an empty list', [], undefined],
    ['one check', [check('/health', 5)], { path: '/health', timeoutSeconds: 5 }],
    ['several checks: the first, as Traefik runs one per service', [check('/ready', 2), check('/deep', 30)], { path: '/ready', timeoutSeconds: 2 }],
  ])('%s', (_title, checks, expected) => {
    expect(routeHealthCheck(checks)).toEqual(expected);
  });
});
