import { describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { ORPHAN_MIN_AGE_S, holderCreateOptions, joinedHolder, orphanHolders } from './docker-netns.js';

describe('holderCreateOptions', () => {
  it('sleeps in the given image on the apps network, labelled as a holder of the app (not an instance), back after an engine restart', () => {
    const options = holderCreateOptions(parseAppName('shop'), 'devflow-apps', 'devflow/stack-run:bookworm', 'ab12', { 'devflow.home': '/h' });
    expect(options).toEqual({
      name: 'devflow-netns-shop-ab12',
      Image: 'devflow/stack-run:bookworm',
      Entrypoint: ['sleep'],
      Cmd: ['infinity'],
      Labels: { 'devflow.home': '/h', 'devflow.managed': 'netns', 'devflow.app': 'shop' },
      HostConfig: { NetworkMode: 'devflow-apps', RestartPolicy: { Name: 'unless-stopped' }, Memory: 16 * 1024 * 1024 },
    });
  });
});

describe('joinedHolder', () => {
  it.each([
    ['container:0123abcd', '0123abcd'],
    ['devflow-apps', undefined],
    ['bridge', undefined],
    ['default', undefined],
    [undefined, undefined],
  ])('%s → %s', (mode, holder) => {
    expect(joinedHolder(mode)).toBe(holder);
  });
});

describe('orphanHolders', () => {
  const now = 1_000_000;
  const old = now - ORPHAN_MIN_AGE_S;
  it.each([
    { what: 'an old holder nobody joined', joined: [], pending: [], created: old, orphan: true },
    { what: 'an old holder an instance joined', joined: ['h'], pending: [], created: old, orphan: false },
    { what: 'an old holder this process readied for a build still running', joined: [], pending: ['h'], created: old, orphan: false },
    { what: 'a young holder nobody joined yet (another process may be about to)', joined: [], pending: [], created: now - 10, orphan: false },
  ])('$what: orphan $orphan', ({ joined, pending, created, orphan }) => {
    expect(orphanHolders([{ id: 'h', created }], new Set(joined), new Set(pending), now)).toEqual(orphan ? ['h'] : []);
  });
});
