import { describe, expect, it } from 'vitest';
import { formatTable } from './output.js';

describe('formatTable', () => {
  it.each([
    [[['NAME', 'N'], ['web', '12'], ['a-long-name', '3']], 'NAME         N\nweb          12\na-long-name  3'],
    // An empty last cell leaves no trailing spaces.
    [[['A', 'B', 'C'], ['x', 'yy', '']], 'A  B   C\nx  yy'],
    [[['ONLY']], 'ONLY'],
    [[], ''],
  ])('%j', (rows, expected) => {
    expect(formatTable(rows)).toBe(expected);
  });
});
