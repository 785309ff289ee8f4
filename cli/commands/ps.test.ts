import { describe, expect, it } from 'vitest';
import { parseAssignments } from './config.js';
import { parseScaleArgument } from './ps.js';

describe('parseScaleArgument', () => {
  it.each([
    ['web=3', { type: 'web', body: { replicas: 3 } }],
    ['worker=2:eco', { type: 'worker', body: { replicas: 2, size: 'eco' } }],
    ['web=:performance', { type: 'web', body: { size: 'performance' } }],
    ['web=-1', { type: 'web', body: { replicas: -1 } }],
    ['web=many', { type: 'web', body: { replicas: 'many' } }],
  ])('%s', (arg, expected) => {
    expect(parseScaleArgument(arg)).toEqual(expected);
  });

  it.each(['web', 'web=', '=3'])('refuses %s', (arg) => {
    expect(() => parseScaleArgument(arg)).toThrow('is not TYPE=COUNT[:SIZE]');
  });
});

describe('parseAssignments', () => {
  it('splits at the first =', () => {
    expect(parseAssignments(['A=1', 'URL=postgres://x?a=b', 'EMPTY='])).toEqual({ A: '1', URL: 'postgres://x?a=b', EMPTY: '' });
  });
  it.each(['NOVALUE', '=x'])('refuses %s', (arg) => {
    expect(() => parseAssignments([arg])).toThrow('is not KEY=value');
  });
});
