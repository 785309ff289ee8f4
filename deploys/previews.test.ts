import { describe, expect, it } from 'vitest';
import { previewState } from './previews.js';

describe('previewState', () => {
  it.each([
    [undefined, false, 'idle'],
    ['queued', false, 'deploying'],
    ['building', true, 'deploying'],
    ['releasing', true, 'deploying'],
    ['succeeded', true, 'running'],
    ['failed', true, 'running'],
    ['failed', false, 'failed'],
    ['superseded', true, 'running'],
  ] as const)('latest %s, has a release: %s → %s', (latest, hasRelease, expected) => {
    expect(previewState(latest, hasRelease)).toBe(expected);
  });
});
