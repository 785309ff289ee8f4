import { describe, expect, it } from 'vitest';
import { planRange } from './range.js';

describe('planRange', () => {
  it.each([
    [undefined, 10, { kind: 'whole' }],
    ['bytes=0-4', 10, { kind: 'partial', start: 0, end: 4 }],
    ['bytes=5-', 10, { kind: 'partial', start: 5, end: 9 }],
    ['bytes=-3', 10, { kind: 'partial', start: 7, end: 9 }],
    ['bytes=-30', 10, { kind: 'partial', start: 0, end: 9 }],
    ['bytes=8-100', 10, { kind: 'partial', start: 8, end: 9 }],
    ['bytes=10-', 10, { kind: 'unsatisfiable' }],
    ['bytes=5-2', 10, { kind: 'unsatisfiable' }],
    ['bytes=0-1,4-5', 10, { kind: 'whole' }],
    ['items=0-1', 10, { kind: 'whole' }],
  ])('%s of %d bytes', (header, size, plan) => {
    expect(planRange(header, size)).toEqual(plan);
  });
});
