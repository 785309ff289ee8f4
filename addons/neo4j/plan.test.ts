import { describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { assertAccepted, createDatabaseOutcome, databaseNameFor, httpEndpoint } from './plan.js';

describe('databaseNameFor', () => {
  it.each([
    ['shop', 'app-shop'],
    ['a', 'app-a'],
    [`x${'-y'.repeat(30)}z`, `app-x${'-y'.repeat(29)}`],
  ])('%s → %s', (app, name) => {
    expect(databaseNameFor(parseAppName(app))).toBe(name);
    expect(name.length).toBeLessThanOrEqual(63);
  });
});

describe('httpEndpoint', () => {
  it.each([
    ['bolt://graph.internal:7687', undefined, 'http://graph.internal:7474'],
    ['neo4j+s://graph.internal', undefined, 'http://graph.internal:7474'],
    ['bolt://graph.internal:7687', 'https://graph.internal:7473/x', 'https://graph.internal:7473'],
    ['http://127.0.0.1:9999/', undefined, 'http://127.0.0.1:9999'],
  ])('%s with --http-url %s → %s', (url, http, expected) => {
    expect(httpEndpoint(new URL(url), http === undefined ? undefined : new URL(http))).toBe(expected);
  });
});

describe('createDatabaseOutcome', () => {
  it.each([
    [[], 'created'],
    [[{ code: 'Neo.ClientError.Statement.UnsupportedAdministrationCommand', message: 'Unsupported administration command' }], 'single-database'],
    [[{ code: 'Neo.ClientError.Security.Forbidden', message: 'no' }], { fail: 'Neo.ClientError.Security.Forbidden: no' }],
  ])('%j → %j', (errors, outcome) => {
    expect(createDatabaseOutcome(errors)).toEqual(outcome);
  });
});

describe('assertAccepted', () => {
  it('refuses a 401 and security errors with the options to check, and an unknown 4xx', () => {
    expect(() => assertAccepted(401, [], 'neo4j')).toThrow('neo4j refused the credentials: check --user and --password');
    expect(() => assertAccepted(200, [{ code: 'Neo.ClientError.Security.Unauthorized', message: '' }], 'neo4j')).toThrow(/refused the credentials/);
    expect(() => assertAccepted(404, [], 'neo4j')).toThrow("neo4j answered HTTP 404: is this Neo4j's HTTP API?");
    expect(() => assertAccepted(200, [], 'neo4j')).not.toThrow();
  });
});
