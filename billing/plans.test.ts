/**
 * Plans and quotas (issue 20): the pure check (table), and the refusals a user sees over the
 * real API on the real PostgreSQL: 403 with a message naming the quota and the plan that lifts
 * it, and nothing changed by a refused request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam } from '../accounts/index.js';
import { startTestApi, type TestApi } from '../api/test-api.js';
import { findPlan, quotaRefusal, type Request, type TeamUse } from './plans.js';
import { assertMayBuild } from './quotas.js';
import { storeSizes } from './size-sampler.js';

describe('quotaRefusal', () => {
  const free = findPlan('free')!;
  const team = findPlan('team')!;
  const use = (apps: number, instances: number, instanceHours = 0, buildSeconds = 0, databaseBytes = 0): TeamUse => ({ apps, instances, instanceHours, buildSeconds, databaseBytes });
  const GB = 1e9;
  const scale = (replicas: number, size: 'eco' | 'standard' | 'performance', was = { replicas: 1, size: 'eco' }): Request => ({ kind: 'scale', replicas, size, was });
  it.each([
    ['a first app on free', free, use(0, 0), { kind: 'create-app' } as Request, undefined],
    ['a third app on free', free, use(2, 0), { kind: 'create-app' } as Request, 'apps'],
    ['a second eco instance on free', free, use(1, 1), scale(2, 'eco'), undefined],
    ['a third instance on free', free, use(2, 2), scale(2, 'eco'), 'instances'],
    ['standard size on free', free, use(1, 1), scale(1, 'standard'), 'largestSize'],
    ['scaling down while over every quota', free, use(5, 9, 9999), scale(0, 'eco', { replicas: 3, size: 'eco' }), undefined],
    ['staying the same while over', free, use(5, 9, 9999), scale(3, 'standard', { replicas: 3, size: 'standard' }), undefined],
    ['growing when the month\'s instance-hours are used up', free, use(1, 1, 750), scale(2, 'eco'), 'instanceHours'],
    ['the largest plan has no plan above it', team, use(200, 0), { kind: 'create-app' } as Request, 'apps'],
    ['a build with build minutes left', free, use(1, 1, 0, 99 * 60 + 59), { kind: 'build' } as Request, undefined],
    ['a build when the month\'s build minutes are used up', free, use(1, 1, 0, 100 * 60), { kind: 'build' } as Request, 'buildMinutes'],
    ['a build while over other quotas', free, use(5, 9, 9999, 0), { kind: 'build' } as Request, undefined],
    ['a new app with databases just under 1 GB on free', free, use(1, 1, 0, 0, GB - 1), { kind: 'create-app' } as Request, undefined],
    ['a new app with databases at 1 GB on free', free, use(1, 1, 0, 0, GB), { kind: 'create-app' } as Request, 'databaseGb'],
    ['a build with databases over 1 GB on free', free, use(1, 1, 0, 0, 1.5 * GB), { kind: 'build' } as Request, 'databaseGb'],
    ['a second instance with databases over 1 GB on free', free, use(1, 1, 0, 0, 1.5 * GB), scale(2, 'eco'), 'databaseGb'],
    ['scaling down with databases over the quota', free, use(1, 2, 0, 0, 3 * GB), scale(1, 'eco', { replicas: 2, size: 'eco' }), undefined],
    ['a third app with databases over: the apps quota is named first', free, use(2, 2, 0, 0, 3 * GB), { kind: 'create-app' } as Request, 'apps'],
    ['databases over every plan', team, use(1, 1, 0, 0, 100 * GB), { kind: 'build' } as Request, 'databaseGb'],
  ])('%s', (_name, plan, used, request, quota) => {
    expect(quotaRefusal('acme', plan, used, request)?.quota).toBe(quota);
  });
  it('names the quota, the plan and the plan that lifts it', () => {
    expect(quotaRefusal('acme', free, use(2, 0), { kind: 'create-app' })?.message)
      .toBe('team "acme" is on the free plan, which allows 2 apps and it has 2 (quota "apps"); the pro plan allows it: devflow plans:assign acme pro (an operator)');
    expect(quotaRefusal('acme', free, use(1, 1), scale(1, 'performance'))?.message)
      .toBe('team "acme" is on the free plan, whose largest size is eco, not performance (quota "largestSize"); the team plan allows it: devflow plans:assign acme team (an operator)');
    expect(quotaRefusal('acme', team, use(200, 0), { kind: 'create-app' })?.message).toContain('no plan allows more');
    expect(quotaRefusal('acme', free, use(1, 1, 0, 0, 1.25e9), { kind: 'create-app' })?.message)
      .toBe('team "acme" is on the free plan, whose databases may hold 1 GB and hold 1.25 GB (hourly sample); what runs keeps running, shrink a database to go on (quota "databaseGb"); the pro plan allows it: devflow plans:assign acme pro (an operator)');
    expect(quotaRefusal('acme', free, use(1, 1, 0, 6030), { kind: 'build' })?.message)
      .toBe('team "acme" is on the free plan, whose 100 build minutes this month are used up (100 min); the running release is untouched (quota "buildMinutes"); the pro plan allows it: devflow plans:assign acme pro (an operator)');
  });
});

describe('quotas over the API', () => {
  let api: TestApi;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.base}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Record<string, any> };
  };

  beforeAll(async () => {
    api = await startTestApi();
    await createTeam(api.db.sql, 'acme', null);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists the plans, and a team on no plan is never refused', async () => {
    const plans = await call('GET', '/plans');
    expect(plans.body.map((p: { name: string }) => p.name)).toEqual(['free', 'pro', 'team']);
    for (const name of ['a1', 'a2', 'a3']) expect((await call('POST', '/apps', { name, team: 'acme' })).status).toBe(201);
    // A new app's formation is one web instance.
    expect((await call('GET', '/teams/acme/plan')).body).toEqual({ team: 'acme', plan: null, used: { apps: 3, instances: 3, instanceHours: 0, buildSeconds: 0, databaseBytes: 0 } });
  });

  it('refuses a new app past the plan with 403 and the quota, and creates nothing', async () => {
    expect((await call('PUT', '/teams/acme/plan', { plan: 'free' })).body).toMatchObject({ team: 'acme', plan: { name: 'free', apps: 2 } });
    const refused = await call('POST', '/apps', { name: 'a4', team: 'acme' });
    expect(refused).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'team "acme" is on the free plan, which allows 2 apps and it has 3 (quota "apps"); the pro plan allows it: devflow plans:assign acme pro (an operator)' } } });
    expect((await call('GET', '/apps/a4')).status).toBe(404);
    expect((await call('PUT', '/teams/acme/plan', { plan: 'pro' })).status).toBe(200);
    expect((await call('POST', '/apps', { name: 'a4', team: 'acme' })).status).toBe(201);
  });

  it('refuses scaling to a size or a count past the plan, and leaves the formation as it was', async () => {
    const formation = () => api.db.sql`SELECT a.name, f.process_type, f.replicas, f.size FROM formation f JOIN apps a ON a.id = f.app_id ORDER BY a.name`;
    const before = await formation();
    expect(before).toHaveLength(4);
    const size = await call('PATCH', '/apps/a1/processes/web', { size: 'performance' });
    expect([size.status, size.body.error.message]).toEqual([403, 'team "acme" is on the pro plan, whose largest size is standard, not performance (quota "largestSize"); the team plan allows it: devflow plans:assign acme team (an operator)']);
    const count = await call('PATCH', '/apps/a2/processes/web', { replicas: 18 });
    expect([count.status, count.body.error.message]).toEqual([403, expect.stringContaining('which allows 20 instances and this makes 21 (quota "instances")')]);
    expect(await formation()).toEqual(before);
  });

  it("refuses new apps, deploys and scale-ups once the team's databases, as last sampled, pass the plan's GB; what there is stays", async () => {
    expect((await call('PUT', '/teams/acme/plan', { plan: 'team' })).status).toBe(200);
    const formation = () => api.db.sql`SELECT a.name, f.replicas, f.size FROM formation f JOIN apps a ON a.id = f.app_id ORDER BY a.name`;
    const before = await formation();
    // Hourly samples of a1's database landing as the size sampler stores them: an older small one, then today's 120 GB.
    const [a1] = await api.db.sql<Array<{ id: number; team_id: number }>>`SELECT id, team_id FROM apps WHERE name = 'a1'`;
    await storeSizes(api.db.sql, new Date(Date.now() - 3 * 3600_000), [{ appId: a1!.id, app: 'a1', teamId: a1!.team_id, databaseBytes: 2e9, storageBytes: null }]);
    expect((await call('POST', '/apps', { name: 'a5', team: 'acme' })).status).toBe(201);
    await storeSizes(api.db.sql, new Date(), [{ appId: a1!.id, app: 'a1', teamId: a1!.team_id, databaseBytes: 120e9, storageBytes: null }]);
    expect((await call('GET', '/teams/acme/plan')).body.used).toMatchObject({ databaseBytes: 120e9 });
    const message = 'team "acme" is on the team plan, whose databases may hold 100 GB and hold 120.00 GB (hourly sample); what runs keeps running, shrink a database to go on (quota "databaseGb"); no plan allows more';
    const app = await call('POST', '/apps', { name: 'a6', team: 'acme' });
    expect([app.status, app.body.error.message]).toEqual([403, message]);
    const more = await call('PATCH', '/apps/a2/processes/web', { replicas: 2 });
    expect([more.status, more.body.error.message]).toEqual([403, message]);
    const [a2] = await api.db.sql<Array<{ id: number }>>`SELECT id FROM apps WHERE name = 'a2'`;
    await expect(assertMayBuild(api.db.sql, { id: a2!.id })).rejects.toThrow(message);
    expect((await call('GET', '/apps/a6')).status).toBe(404);
    expect(await formation()).toEqual([...before, { name: 'a5', replicas: 1, size: 'standard' }]);
    // The next sample, after the app's data was trimmed, lifts the refusal.
    await storeSizes(api.db.sql, new Date(), [{ appId: a1!.id, app: 'a1', teamId: a1!.team_id, databaseBytes: 5e9, storageBytes: null }]);
    expect((await call('POST', '/apps', { name: 'a6', team: 'acme' })).status).toBe(201);
  });

  it('puts teams on plans for operators only, and names the plans it knows', async () => {
    const unknown = await call('PUT', '/teams/acme/plan', { plan: 'gold' });
    expect([unknown.status, unknown.body.error.message]).toEqual([400, 'plan "gold" is unknown: use one of free, pro, team, or none']);
    expect((await call('PUT', '/teams/acme/plan', { plan: 'none' })).body).toEqual({ team: 'acme', plan: null });
  });
});
