import { describe, expect, it } from 'vitest';
import { backoffDelay, nextWakeUp, planCertificateWork } from './renewal.js';

const DAY = 86_400_000;
const now = new Date('2030-06-01T00:00:00Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

type Cert = Parameters<typeof planCertificateWork>[0][number];
const cert = (fields: Partial<Cert>): Cert => ({
  name: 'shop.example.com', source: 'acme', state: 'pending', notAfter: null, nextAttemptAt: null, certPem: null, ...fields,
});
const issued = (fields: Partial<Cert>): Cert => cert({ state: 'issued', certPem: 'PEM', ...fields });

describe('planCertificateWork', () => {
  it.each([
    ['a new pending certificate', cert({}), 'issue'],
    ['pending and due now', cert({ nextAttemptAt: at(0) }), 'issue'],
    ['pending, due in a minute', cert({ nextAttemptAt: at(60_000) }), undefined],
    ['failed, backoff over', cert({ state: 'failed', nextAttemptAt: at(-1) }), 'issue'],
    ['failed, still backing off', cert({ state: 'failed', nextAttemptAt: at(DAY) }), undefined],
    ['issued, 90 days left', issued({ notAfter: at(90 * DAY) }), undefined],
    ['issued, 31 days left', issued({ notAfter: at(31 * DAY) }), undefined],
    ['issued, exactly 30 days left', issued({ notAfter: at(30 * DAY) }), 'renew'],
    ['issued, 10 days left', issued({ notAfter: at(10 * DAY) }), 'renew'],
    ['issued, expired', issued({ notAfter: at(-DAY) }), 'renew'],
    ['issued, renewal failed, backing off', issued({ notAfter: at(10 * DAY), nextAttemptAt: at(3_600_000) }), undefined],
    ['issued, renewal failed, backoff over', issued({ notAfter: at(10 * DAY), nextAttemptAt: at(-1) }), 'renew'],
    ['self-signed, expired', issued({ source: 'self-signed', notAfter: at(-DAY) }), undefined],
    ['operator-provided, expiring', issued({ source: 'operator', notAfter: at(DAY) }), undefined],
  ])('%s → %s', (_label, c, kind) => {
    const work = planCertificateWork([c], now);
    expect(work[0]?.kind).toBe(kind);
    expect(work.length).toBe(kind === undefined ? 0 : 1);
  });

  it('a renewal moved forward by an injected clock becomes due', () => {
    const c = issued({ notAfter: at(60 * DAY) });
    expect(planCertificateWork([c], now)).toEqual([]);
    expect(planCertificateWork([c], at(31 * DAY))).toEqual([{ name: 'shop.example.com', kind: 'renew' }]);
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [6, 32 * 60_000],
    [9, 256 * 60_000],
    [10, 6 * 3_600_000],
    [100, 6 * 3_600_000],
  ])('after %d failures waits %d ms', (attempts, delay) => {
    expect(backoffDelay(attempts)).toBe(delay);
  });
});

describe('nextWakeUp', () => {
  it('is the earliest due date among ACME certificates', () => {
    const certs = [issued({ notAfter: at(90 * DAY) }), cert({ state: 'failed', nextAttemptAt: at(DAY) }), issued({ source: 'operator', notAfter: at(0) })];
    expect(nextWakeUp(certs)).toEqual(at(DAY));
    expect(nextWakeUp([])).toBeUndefined();
  });
});
