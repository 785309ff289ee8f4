import { describe, expect, it } from 'vitest';
import { BuildError } from '../core/errors.js';
import { buildDeadline, buildStoppedError, buildTimeoutError } from './build-deadline.js';

const aborted = (signal: AbortSignal) => new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));

describe('buildTimeoutError', () => {
  it.each([
    [1_800_000, 'build: it ran longer than 30 min (DEVFLOW_BUILD_TIMEOUT) and was stopped'],
    [90_000, 'build: it ran longer than 90 s (DEVFLOW_BUILD_TIMEOUT) and was stopped'],
    [120_000, 'build: it ran longer than 2 min (DEVFLOW_BUILD_TIMEOUT) and was stopped'],
    [3_000, 'build: it ran longer than 3 s (DEVFLOW_BUILD_TIMEOUT) and was stopped'],
  ])('%d ms reads "%s; …"', (ms, text) => {
    const err = buildTimeoutError(ms);
    expect(err).toBeInstanceOf(BuildError);
    expect(err.message).toBe(`${text}; find the step that hangs in the log above, or ask the operator to raise the limit`);
  });
});

describe('buildDeadline', () => {
  it('aborts with the time-limit error once the time has passed', async () => {
    const deadline = buildDeadline(20);
    const reason = await aborted(deadline.signal);
    expect(reason).toBeInstanceOf(BuildError);
    expect((reason as Error).message).toContain('ran longer than 0 s');
  });

  it('aborts with the stopped error when DevFlow stops first, and the timer no longer matters', async () => {
    const stopping = new AbortController();
    const deadline = buildDeadline(60_000, { stopping: stopping.signal });
    expect(deadline.signal.aborted).toBe(false);
    stopping.abort();
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toEqual(buildStoppedError());
    deadline.clear();
  });

  it('aborts with the cancel\'s own reason when the deployment is cancelled', () => {
    const cancelled = new AbortController();
    const deadline = buildDeadline(60_000, { cancelled: cancelled.signal, stopping: new AbortController().signal });
    const reason = new Error('cancelled by ana (devflow deployments:cancel)');
    cancelled.abort(reason);
    expect(deadline.signal.reason).toBe(reason);
    deadline.clear();
  });

  it('is aborted from the start when DevFlow is already stopping', () => {
    const deadline = buildDeadline(60_000, { stopping: AbortSignal.abort() });
    expect((deadline.signal.reason as Error).message).toBe('build: DevFlow was stopped during the build; push again once it is running');
    deadline.clear();
  });

  it('cleared, it never aborts: not by its timer, not by a later stop', async () => {
    const stopping = new AbortController();
    const deadline = buildDeadline(20, { stopping: stopping.signal });
    deadline.clear();
    await new Promise((r) => setTimeout(r, 60));
    stopping.abort();
    expect(deadline.signal.aborted).toBe(false);
  });
});
