import { describe, expect, it } from 'vitest';
import { parseProcStat } from './cpu.js';

describe('parseProcStat', () => {
  it('reads user and system time after a command name with spaces and parentheses', () => {
    const line = '4242 (nginx: worker (x)) S 4241 4241 4241 0 -1 4194624 310 0 0 0 1234 567 0 0 20 0 1 0 100 0 0';
    expect(parseProcStat(line)).toEqual({ userSeconds: 12.34, systemSeconds: 5.67 });
  });
});
