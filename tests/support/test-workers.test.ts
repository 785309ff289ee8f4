import { describe, expect, it } from 'vitest';
import { excludedFiles, testWorkers } from './test-workers.js';

describe('testWorkers', () => {
  it.each([
    [{}, 2],
    [{ DEVFLOW_TEST_WORKERS: '' }, 2],
    [{ DEVFLOW_TEST_WORKERS: '1' }, 1],
    [{ DEVFLOW_TEST_WORKERS: '3' }, 3],
  ])('reads %j as %i', (env, workers) => {
    expect(testWorkers(env)).toBe(workers);
  });

  it.each(['0', '-1', '1.5', 'two'])('refuses %j', (text) => {
    expect(() => testWorkers({ DEVFLOW_TEST_WORKERS: text })).toThrow(`DEVFLOW_TEST_WORKERS must be a whole number of at least 1, got "${text}"`);
  });
});

describe('excludedFiles', () => {
  it.each([
    [{}, []],
    [{ DEVFLOW_TEST_EXCLUDE: '' }, []],
    [{ DEVFLOW_TEST_EXCLUDE: 'tests/e2e/zero-downtime.test.ts' }, ['tests/e2e/zero-downtime.test.ts']],
    [{ DEVFLOW_TEST_EXCLUDE: 'a.test.ts, b/**/*.test.ts,' }, ['a.test.ts', 'b/**/*.test.ts']],
  ])('reads %j as %j', (env, files) => {
    expect(excludedFiles(env)).toEqual(files);
  });
});
