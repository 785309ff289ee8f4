import { describe, expect, it } from 'vitest';
import { parseScaleRequest, planScale } from './scale.js';

const inst = (slot: number, suffix = 'aa') => ({ id: `a-web-v3-${slot}-${suffix}` });

describe('parseScaleRequest', () => {
  it.each([
    [{ replicas: 3 }, { replicas: 3 }],
    [{ replicas: 0 }, { replicas: 0 }],
    [{ replicas: '2' }, { replicas: 2 }],
    [{ size: 'eco' }, { size: 'eco' }],
    [{ replicas: 100, size: 'performance' }, { replicas: 100, size: 'performance' }],
  ])('%j', (body, expected) => {
    expect(parseScaleRequest(body)).toEqual(expected);
  });

  it.each([
    [{ replicas: -1 }, 'replicas cannot be negative'],
    [{ replicas: 1.5 }, 'replicas must be a whole number from 0 to 100, got 1.5'],
    [{ replicas: 'lots' }, 'replicas must be a whole number'],
    [{ replicas: 101 }, 'replicas 101 is too many: at most 100'],
    [{ replicas: 1e9 }, 'is too many'],
    [{ size: 'huge' }, 'size "huge" is unknown: use one of eco, standard, performance'],
    [{}, 'give "replicas", "size" or both'],
    [null, 'send a JSON object'],
  ])('refuses %j', (body, message) => {
    expect(() => parseScaleRequest(body)).toThrow(message);
  });
});

describe('planScale', () => {
  it.each([
    ['up from 1 to 3', [inst(1)], 3, false, { start: [2, 3], stop: [] }],
    ['down from 3 to 1 stops the highest slots', [inst(3), inst(1), inst(2)], 1, false,
      { start: [], stop: ['a-web-v3-2-aa', 'a-web-v3-3-aa'] }],
    ['to zero', [inst(1), inst(2)], 0, false, { start: [], stop: ['a-web-v3-1-aa', 'a-web-v3-2-aa'] }],
    ['fills a gap first', [inst(1), inst(3)], 3, false, { start: [2], stop: [] }],
    ['no change', [inst(1), inst(2)], 2, false, { start: [], stop: [] }],
    ['a duplicate slot is stopped', [inst(1, 'aa'), inst(1, 'bb')], 2, false, { start: [2], stop: ['a-web-v3-1-bb'] }],
    ['replace (size change) starts all anew', [inst(1), inst(2)], 2, true, { start: [1, 2], stop: ['a-web-v3-1-aa', 'a-web-v3-2-aa'] }],
  ])('%s', (_name, current, replicas, replace, expected) => {
    expect(planScale(current, replicas, replace)).toEqual(expected);
  });
});
