import { describe, expect, it } from 'vitest';
import { applyConfigChanges, describeConfigChanges, parseConfigPatch } from './config-changes.js';

describe('parseConfigPatch', () => {
  it.each([
    ['sets and unsets', { FOO: 'bar', OLD: null }, { set: { FOO: 'bar' }, unset: ['OLD'] }],
    ['empty string is a value', { EMPTY: '' }, { set: { EMPTY: '' }, unset: [] }],
    ["DEVFLOW_METRICS_PATH is the app's to set (the path DevFlow scrapes)", { DEVFLOW_METRICS_PATH: '/metrics' }, { set: { DEVFLOW_METRICS_PATH: '/metrics' }, unset: [] }],
    ['value with = and newlines', { URL: 'a=b\nc' }, { set: { URL: 'a=b\nc' }, unset: [] }],
  ])('%s', (_name, body, expected) => {
    expect(parseConfigPatch(body)).toEqual(expected);
  });

  it.each([
    ['not an object', 'FOO=bar', 'send a JSON object'],
    ['an array', [['FOO', 'bar']], 'send a JSON object'],
    ['nothing', {}, 'no config vars given'],
    ['bad name', { '1FOO': 'x' }, 'config var name "1FOO" is invalid'],
    ['dash in name', { 'MY-VAR': 'x' }, 'config var name "MY-VAR" is invalid'],
    ['number value', { FOO: 5 }, 'config var FOO must be a string (or null to unset it), got number'],
    ['too long', { BIG: 'x'.repeat(32 * 1024 + 1) }, 'config var BIG is too long: values are at most 32 KiB'],
    ['PORT is the platform\'s', { PORT: '80' }, 'config var PORT is set by DevFlow itself'],
    ['DEVFLOW_ vars are the platform\'s', { DEVFLOW_APP: 'x' }, 'config var DEVFLOW_APP is set by DevFlow itself'],
    ['a longer name starting like the scrape path', { DEVFLOW_METRICS_PATHS: 'x' }, 'config var DEVFLOW_METRICS_PATHS is set by DevFlow itself'],
  ])('refuses %s', (_name, body, message) => {
    expect(() => parseConfigPatch(body)).toThrow(message);
  });

  it('accepts a value of exactly 32 KiB', () => {
    expect(parseConfigPatch({ BIG: 'x'.repeat(32 * 1024) }).set.BIG).toHaveLength(32 * 1024);
  });
});

describe('applyConfigChanges and describeConfigChanges', () => {
  it.each([
    ['set new', { A: '1' }, { set: { B: '2' }, unset: [] }, { A: '1', B: '2' }, 'Set B'],
    ['overwrite', { A: '1' }, { set: { A: '3' }, unset: [] }, { A: '3' }, 'Set A'],
    ['unset', { A: '1', B: '2' }, { set: {}, unset: ['A'] }, { B: '2' }, 'Unset A'],
    ['unset missing is fine', { A: '1' }, { set: {}, unset: ['Z'] }, { A: '1' }, 'Unset Z'],
    ['both', { A: '1' }, { set: { FOO: 'x', BAR: 'y' }, unset: ['A'] }, { BAR: 'y', FOO: 'x' }, 'Set FOO, BAR; unset A'],
  ])('%s', (_name, vars, changes, expected, description) => {
    expect(applyConfigChanges(vars, changes)).toEqual(expected);
    expect(describeConfigChanges(changes)).toBe(description);
  });
});
