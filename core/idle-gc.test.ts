import { describe, expect, it } from 'vitest';
import { collectGarbage, GROWN_YOUNG_BYTES, IDLE_START, idleStep, youngCommitted, type IdleAction, type IdleSample } from './idle-gc.js';

const MB = 2 ** 20;
/** A quiet look; the heap in use is 0 unless given (no garbage over the start's live size 0). */
const quiet = (youngMb: number, heapUsedMb = 0): IdleSample => ({ cpuMicros: 4_000, elapsedMs: 2_000, youngCommitted: youngMb * MB, heapUsed: heapUsedMb * MB });
const busy: IdleSample = { cpuMicros: 400_000, elapsedMs: 2_000, youngCommitted: 16 * MB, heapUsed: 0 };

/** The actions of successive looks. */
function run(samples: IdleSample[]): IdleAction[] {
  let state = IDLE_START;
  return samples.map((sample) => {
    const step = idleStep(state, sample);
    state = step.state;
    return step.action;
  });
}

describe('idleStep', () => {
  it.each<[string, IdleSample[], IdleAction[]]>([
    ['grown, then idle: a scavenge at 2 s, a full collection 6 s later', [quiet(16), quiet(16), quiet(16), quiet(16)], ['scavenge', 'none', 'none', 'full']],
    ['young generation at rest: nothing', [quiet(2), quiet(2), quiet(2), quiet(2)], ['none', 'none', 'none', 'none']],
    ['busy: nothing', [busy, busy, busy, busy], ['none', 'none', 'none', 'none']],
    ['a busy look starts the quiet spell again', [quiet(16), quiet(16), busy, quiet(16), quiet(16), quiet(16), quiet(16)], ['scavenge', 'none', 'none', 'scavenge', 'none', 'none', 'full']],
    ['still grown after the full one: again every 6 s, three at most',
      Array.from({ length: 14 }, () => quiet(16)),
      ['scavenge', 'none', 'none', 'full', 'none', 'none', 'full', 'none', 'none', 'full', 'none', 'none', 'none', 'none']],
    ['given back after the full one: nothing more', [quiet(16), quiet(16), quiet(16), quiet(16), quiet(1), quiet(1), quiet(1)], ['scavenge', 'none', 'none', 'full', 'none', 'none', 'none']],
    ['young generation at rest, garbage over 4 MiB: the same schedule', [quiet(1, 30), quiet(1, 30), quiet(1, 30), quiet(1, 30)], ['scavenge', 'none', 'none', 'full']],
    ['young generation at rest, 4 MiB over the last live size: nothing', [quiet(1, 4), quiet(1, 4), quiet(1, 4), quiet(1, 4)], ['none', 'none', 'none', 'none']],
    ['exactly 4 MiB is at rest', [quiet(4), quiet(4), quiet(4)], ['none', 'none', 'none']],
    ['just at the idle share (5 % of a core) is busy', [{ cpuMicros: 100_000, elapsedMs: 2_000, youngCommitted: 16 * MB, heapUsed: 0 }], ['none']],
    ['a look at 10 % of a core inside a quiet spell (a pass of each loop) does not end it', [quiet(16), quiet(16), { ...quiet(16), cpuMicros: 200_000 }, quiet(16)], ['scavenge', 'none', 'none', 'full']],
    ['a look at a quarter of a core ends it, whatever the average', [quiet(16), quiet(16), quiet(16), { ...quiet(16), cpuMicros: 500_000 }, quiet(16)], ['scavenge', 'none', 'none', 'none', 'scavenge']],
    ['the spell ends once its average reaches 5 % (4.6 %, then 6.1 %), and starts again', [quiet(16), { ...quiet(16), cpuMicros: 180_000 }, { ...quiet(16), cpuMicros: 180_000 }, quiet(16)], ['scavenge', 'none', 'none', 'scavenge']],
    ['no time elapsed counts as busy', [{ cpuMicros: 0, elapsedMs: 0, youngCommitted: 16 * MB, heapUsed: 0 }], ['none']],
  ])('%s', (_name, samples, actions) => {
    expect(run(samples)).toEqual(actions);
  });

  it('measures garbage from the live size after the last full collection, across busy spells', () => {
    const afterFull = { ...IDLE_START, liveAfterFull: 20 * MB };
    expect(idleStep(afterFull, quiet(1, 23)).state.quietMs).toBe(2_000);
    expect(idleStep(idleStep(afterFull, busy).state, quiet(1, 23)).action).toBe('none'); // 3 MiB over
    expect(idleStep(idleStep(afterFull, busy).state, quiet(1, 25)).action).toBe('scavenge'); // 5 MiB over
  });
});

describe('collectGarbage', () => {
  it('gives back a young generation a burst of allocations grew, as devflow up does when idle', async () => {
    let keep: object[] = [];
    for (let i = 0; i < 2_000_000; i++) {
      keep.push({ i, s: `x${i}` });
      if (keep.length > 100_000) keep = [];
    }
    keep = [];
    const grown = youngCommitted();
    expect(grown).toBeGreaterThan(GROWN_YOUNG_BYTES);
    // The schedule of idleStep: a scavenge 2 s into the quiet, full collections 6 s apart.
    await new Promise((r) => setTimeout(r, 2_000));
    collectGarbage('minor');
    for (let run = 0; run < 3 && youngCommitted() > grown / 2; run++) {
      await new Promise((r) => setTimeout(r, 6_000));
      collectGarbage('major');
    }
    expect(youngCommitted()).toBeLessThan(grown / 2);
  }, 40_000);
});
