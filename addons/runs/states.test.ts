import { describe, expect, it } from 'vitest';
import { endState, parseRunCommand, type RunEnding } from './states.js';

describe('how a run ends', () => {
  it.each<[string, RunEnding, string]>([
    ['exit 0', { exitCode: 0, timedOut: false, aborted: false }, 'succeeded'],
    ['exit 3', { exitCode: 3, timedOut: false, aborted: false }, 'failed'],
    ['killed by its timeout', { exitCode: 137, timedOut: true, aborted: false }, 'timed-out'],
    ['its client went away', { exitCode: 137, timedOut: false, aborted: true }, 'killed'],
  ])('%s → %s', (_case, ending, state) => expect(endState(ending)).toBe(state));
});

describe('the command to run', () => {
  it.each([
    ['node scripts/migrate.js', 'node scripts/migrate.js'],
    ['  echo "$DATABASE_URL" | wc -c ', 'echo "$DATABASE_URL" | wc -c'],
  ])('takes %j', (input, command) => expect(parseRunCommand(input)).toBe(command));

  it.each([
    [undefined, /send the command/],
    ['   ', /send the command/],
    [42, /send the command/],
    ['a\0b', /NUL/],
    ['x'.repeat(9000), /longer than/],
  ])('refuses %j', (input, message) => expect(() => parseRunCommand(input)).toThrow(message));
});
