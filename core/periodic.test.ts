import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runPeriodically } from './periodic.js';

describe('runPeriodically', () => {
  it('waits for the run in flight when stopped, and starts no other', async () => {
    const events: string[] = [];
    const job = runPeriodically(async () => {
      events.push('start');
      await sleep(150);
      events.push('end');
    }, 20);
    await sleep(60); // the first run has started and is going on
    await job.stop();
    expect(events).toEqual(['start', 'end']);
    await sleep(100);
    expect(events).toEqual(['start', 'end']);
  });

  it('never overlaps runs when a run takes longer than the period', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const job = runPeriodically(async () => {
      running++;
      most = Math.max(most, running);
      await sleep(50);
      running--;
      runs++;
    }, 10);
    await sleep(300);
    await job.stop();
    expect(most).toBe(1);
    expect(runs).toBeGreaterThan(1);
  });

  it('goes on after a run that fails', async () => {
    let runs = 0;
    const job = runPeriodically(async () => {
      runs++;
      throw new Error('boom');
    }, 10);
    await sleep(100);
    await job.stop();
    expect(runs).toBeGreaterThan(1);
  });
});
