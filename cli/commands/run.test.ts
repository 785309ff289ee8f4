import { describe, expect, it } from 'vitest';
import { exitStatusOf, ndjsonReader } from './run.js';

describe('devflow run', () => {
  it('reads the JSON-lines stream across chunk boundaries', () => {
    const events: unknown[] = [];
    const read = ndjsonReader((e) => events.push(e));
    read('{"line":"a"}\n{"li');
    read('ne":"b"}\n\n{"exit":3,"state":"failed"}\n');
    expect(events).toEqual([{ line: 'a' }, { line: 'b' }, { exit: 3, state: 'failed' }]);
  });

  it.each([
    [0, 'succeeded', 0],
    [7, 'failed', 7],
    [137, 'killed', 137],
    [137, 'timed-out', 1],
    [null, 'failed', 1],
  ])('exit %j in state %s is the CLI exit status %i', (exit, state, status) => expect(exitStatusOf(exit, state)).toBe(status));
});
