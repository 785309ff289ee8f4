import { describe, expect, it } from 'vitest';
import { applyEnvModifications, type EnvModification } from './layer-env.js';

const mod = (name: string, op: EnvModification['op'], value: string, delim = ''): EnvModification => ({ name, op, value, delim });

describe('applyEnvModifications', () => {
  it.each([
    [{ PATH: '/bin' }, [mod('PATH', 'prepend', '/l/bin', ':')], { PATH: '/l/bin:/bin' }],
    [{}, [mod('PATH', 'prepend', '/l/bin', ':')], { PATH: '/l/bin' }],
    [{ X: 'a' }, [mod('X', 'append', 'b', ',')], { X: 'a,b' }],
    [{ X: 'a' }, [mod('X', 'append', 'b')], { X: 'ab' }],
    [{ X: 'a' }, [mod('X', 'default', 'b')], { X: 'a' }],
    [{}, [mod('X', 'default', 'b')], { X: 'b' }],
    [{ X: 'a' }, [mod('X', 'override', 'b')], { X: 'b' }],
    [{ PATH: '/bin' }, [mod('PATH', 'prepend', '/1', ':'), mod('PATH', 'prepend', '/2', ':')], { PATH: '/2:/1:/bin' }],
  ])('applies to %j', (base, mods, expected) => {
    expect(applyEnvModifications(base, mods)).toEqual(expected);
  });
});
