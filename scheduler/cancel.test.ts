/**
 * Cancelling a deployment: the plan per state (a table), then on the real PostgreSQL and event bus:
 * a queued one fails at once with the reason its push reads; a building one is told over the bus
 * (a second bus stands for the DevFlow process that builds it) and the request answers once it
 * ended; refusals name the state and what to do instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { EventBus, type DevflowEvent } from '../core/events.js';
import { parseAppName } from '../core/names.js';
import { createApp } from '../core/store/apps.js';
import { createDeployment, getDeployment, transitionDeployment } from '../core/store/deployments.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { cancelDeployment, cancelledReason, cancelSignal, planCancel, type CancelStep } from './cancel.js';

describe('planCancel', () => {
  it.each<[Parameters<typeof planCancel>[1], number | null, CancelStep]>([
    ['queued', null, { kind: 'fail-queued' }],
    ['building', null, { kind: 'stop-build' }],
    ['releasing', null, { kind: 'refuse', message: 'deployment 7 is already releasing: a release is not stopped halfway; once it is live, `devflow rollback` undoes it' }],
    ['succeeded', 4, { kind: 'refuse', message: 'deployment 7 already succeeded (v4): `devflow rollback` undoes it' }],
    ['failed', null, { kind: 'refuse', message: 'deployment 7 already ended (failed): there is nothing to cancel' }],
    ['superseded', null, { kind: 'refuse', message: 'deployment 7 already ended (superseded): there is nothing to cancel' }],
  ])('%s → %j', (state, version, step) => {
    expect(planCancel(7, state, version)).toEqual(step);
  });
});

describe('cancelDeployment', () => {
  let db: TestDatabase;
  let bus: EventBus;
  let builder: EventBus;
  const events: DevflowEvent[] = [];
  const app = parseAppName('cancel-me');
  let appId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    bus = new EventBus(db.url, db.sql);
    await bus.start();
    bus.subscribe((event) => events.push(event));
    builder = new EventBus(db.url, db.sql);
    await builder.start();
    appId = (await createApp(db.sql, app)).id;
    await createApp(db.sql, parseAppName('other-app'));
  });
  afterAll(async () => {
    await bus.close();
    await builder.close();
    await db.drop();
  });

  const newDeployment = async () => (await createDeployment(db.sql, { id: appId }, { ref: 'refs/heads/main', sha: 'a'.repeat(40) })).deployment;

  it('fails a queued deployment at once, with the reason the push reads, and says so on the bus', async () => {
    const queued = await newDeployment();
    const ended = await cancelDeployment({ sql: db.sql, bus }, app, queued.id, cancelledReason('ana'));
    expect(ended).toMatchObject({ id: queued.id, state: 'failed', reason: 'cancelled by ana (devflow deployments:cancel)' });
    await expect.poll(() => events.find((e) => e.type === 'deployment.state' && e.deploymentId === queued.id)).toMatchObject({ state: 'failed', reason: cancelledReason('ana') });
    // The queue's worker, taking it now, finds it no longer queued and builds nothing.
    expect(await transitionDeployment(db.sql, queued.id, 'queued', 'building')).toBe(false);
  });

  it('tells the process building it, and answers once the deployment ended', async () => {
    const building = await newDeployment();
    await transitionDeployment(db.sql, building.id, 'queued', 'building');
    // The other process: its cancel signal aborts with the reason, and its pipeline then fails the deployment.
    const heard = cancelSignal(builder, building.id);
    heard.signal.addEventListener('abort', () => {
      void transitionDeployment(db.sql, building.id, 'building', 'failed', { reason: (heard.signal.reason as Error).message });
    });
    const ended = await cancelDeployment({ sql: db.sql, bus }, app, building.id, cancelledReason('ben'));
    heard.stop();
    expect(ended).toMatchObject({ state: 'failed', reason: 'cancelled by ben (devflow deployments:cancel)' });
  });

  it('says so when the build had ended as the cancel came: the deployment went on to its release', async () => {
    const built = await newDeployment();
    await transitionDeployment(db.sql, built.id, 'queued', 'building');
    // The builder no longer listens (its build is done) and moves on to the release.
    setTimeout(() => void transitionDeployment(db.sql, built.id, 'building', 'releasing'), 200);
    const refusal = cancelDeployment({ sql: db.sql, bus }, app, built.id, cancelledReason('cy'));
    await expect(refusal).rejects.toBeInstanceOf(ConflictError);
    await expect(refusal).rejects.toThrow(`deployment ${built.id} had finished building when the cancel came and is releasing now`);
  });

  it('a cancel of another deployment is not heard', async () => {
    const heard = cancelSignal(builder, 999_999);
    await bus.publish({ type: 'deployment.cancel', deploymentId: 999_998, app, reason: cancelledReason('x') });
    await bus.publish({ type: 'deployment.cancel', deploymentId: 999_999, app, reason: cancelledReason('y') });
    await expect.poll(() => heard.signal.aborted).toBe(true);
    expect((heard.signal.reason as Error).message).toBe('cancelled by y (devflow deployments:cancel)');
    heard.stop();
  });

  it('refuses what has ended or is releasing, and a deployment of another app', async () => {
    const done = await newDeployment();
    await transitionDeployment(db.sql, done.id, 'queued', 'building');
    await transitionDeployment(db.sql, done.id, 'building', 'releasing');
    const refusal = cancelDeployment({ sql: db.sql, bus }, app, done.id, cancelledReason('ana'));
    await expect(refusal).rejects.toBeInstanceOf(ConflictError);
    await expect(refusal).rejects.toThrow(`deployment ${done.id} is already releasing: a release is not stopped halfway`);
    await expect(cancelDeployment({ sql: db.sql, bus }, parseAppName('other-app'), done.id, cancelledReason('ana'))).rejects.toThrow(NotFoundError);
    expect((await getDeployment(db.sql, done.id)).state).toBe('releasing');
  });
});
