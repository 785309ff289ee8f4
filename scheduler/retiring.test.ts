import { describe, expect, it } from 'vitest';
import { isRetiring, markRetiring, whileRetiring } from './retiring.js';

describe('whileRetiring', () => {
  it('lists the instances while the work runs, and not after it, even when it fails', async () => {
    let during = false;
    await whileRetiring(['web-1'], async () => void (during = isRetiring('web-1')));
    expect(during).toBe(true);
    expect(isRetiring('web-1')).toBe(false);
    await expect(whileRetiring(['web-2'], async () => {
      throw new Error('stop failed');
    })).rejects.toThrow('stop failed');
    expect(isRetiring('web-2')).toBe(false);
  });

  it('markRetiring lists them until its release is called', () => {
    const done = markRetiring(['web-3', 'web-4']);
    expect([isRetiring('web-3'), isRetiring('web-4')]).toEqual([true, true]);
    done();
    expect([isRetiring('web-3'), isRetiring('web-4')]).toEqual([false, false]);
  });
});
