import { describe, expect, it } from 'vitest';
import type { AppName, ProcessType } from '../core/names.js';
import { bootSpec } from './boot-limits.js';
import type { InstanceSpec } from './runtime/types.js';

const spec = (cpus?: number): InstanceSpec => ({
  app: 'shop' as AppName, release: 3, processType: 'web' as ProcessType, slot: 1,
  artifact: { kind: 'image', image: 'devflow/shop:v3', processes: { web: 'node server.js' } } as InstanceSpec['artifact'],
  env: {}, memoryMb: 512, ...(cpus === undefined ? {} : { cpus }),
});

describe('bootSpec', () => {
  it.each([
    ['a runtime that caps live: boots uncapped, capped once healthy', spec(0.5), true, { cpus: undefined, memoryMb: 512 }, 0.5],
    ['a runtime that cannot: boots with its cap', spec(0.5), false, { cpus: 0.5, memoryMb: 512 }, undefined],
    ['no CPU cap at all: nothing to apply later', spec(), true, { cpus: undefined, memoryMb: 512 }, undefined],
  ])('%s', (_name, input, canSetLive, expected, later) => {
    const result = bootSpec(input, canSetLive);
    expect({ cpus: result.spec.cpus, memoryMb: result.spec.memoryMb }).toEqual(expected);
    expect(result.cpusOnceHealthy).toBe(later);
  });
});
