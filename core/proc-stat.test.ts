import { describe, expect, it } from 'vitest';
import { procStatFields } from './proc-stat.js';

describe('procStatFields', () => {
  it.each([
    ['4242 (node) S 4241 4241', ['S', '4241', '4241']],
    ['4242 (nginx: worker (x)) R 7 4241', ['R', '7', '4241']],
    ['4242 (a) b) c) Z 1 1', ['Z', '1', '1']],
  ])('%s', (line, fields) => {
    expect(procStatFields(line)).toEqual(fields);
  });
});
