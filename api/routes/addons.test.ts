import { describe, expect, it } from 'vitest';
import { parseNewAddon } from './addons.js';
import { parseNewRun } from './runs.js';

describe('POST /apps/{app}/addons body', () => {
  it.each([
    [{ kind: 'redis' }, { kind: 'redis', options: {} }],
    [{ kind: ' postgres ', options: { extensions: 'pg_trgm' } }, { kind: 'postgres', options: { extensions: 'pg_trgm' } }],
  ])('takes %j', (body, parsed) => expect(parseNewAddon(body)).toEqual(parsed));

  it.each([
    [undefined, /send \{"kind": "redis"\}/],
    [{ kind: '' }, /send \{"kind": "redis"\}/],
    [{ kind: 'redis', plan: 'big' }, /unknown field "plan"/],
    [{ kind: 'redis', options: ['x'] }, /options must be an object/],
    [{ kind: 'redis', options: { 'Bad Name': 'x' } }, /"Bad Name" is not an option name/],
    [{ kind: 'redis', options: { extensions: 3 } }, /option extensions must be a string/],
  ])('refuses %j', (body, message) => expect(() => parseNewAddon(body)).toThrow(message));
});

describe('POST /apps/{app}/runs body', () => {
  it.each([
    [{ command: 'node migrate.js' }, { command: 'node migrate.js', detach: false }],
    [{ command: 'node jobs/reindex.js', detach: true }, { command: 'node jobs/reindex.js', detach: true }],
  ])('takes %j', (body, parsed) => expect(parseNewRun(body)).toEqual(parsed));

  it.each([
    [{}, /send the command to run/],
    [{ command: 'x', detach: 'yes' }, /detach must be true or false/],
    [{ command: 'x', tty: true }, /unknown field "tty"/],
  ])('refuses %j', (body, message) => expect(() => parseNewRun(body)).toThrow(message));
});
