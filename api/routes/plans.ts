/**
 * Plans and quotas (issue 20, billing/):
 *   GET /plans                 the plans, their quotas and prices (any caller)
 *   GET /teams/{team}/plan     the team's plan (null: no quotas) and what it has and used this month
 *   PUT /teams/{team}/plan {plan}   puts the team on a plan, or "none"; the instance's operators
 *                              only (a team's own admins would otherwise lift their own quotas)
 */
import type express from 'express';
import { teamId } from '../../accounts/index.js';
import { assignPlan, PLANS, teamPlan, teamUse } from '../../billing/index.js';
import { DevflowError, InvalidInputError } from '../../core/errors.js';
import { accessOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerPlanRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/plans', route(async (_req, res) => {
    res.json(PLANS);
  }));
  v1.get('/teams/:team/plan', route(async (req, res) => {
    const name = String(req.params.team);
    const id = await teamId(deps.sql, name);
    const [plan, used] = await Promise.all([teamPlan(deps.sql, id), teamUse(deps.sql, id)]);
    res.json({ team: name, plan: plan ?? null, used });
  }));
  v1.put('/teams/:team/plan', route(async (req, res) => {
    if (accessOf(res).teams !== 'all') throw new DevflowError('forbidden', "only the instance's operators put teams on plans");
    const body = (req.body ?? {}) as { plan?: unknown };
    if (typeof body.plan !== 'string') throw new InvalidInputError('send a JSON body like {"plan": "pro"}');
    const name = String(req.params.team);
    const plan = await assignPlan(deps.sql, await teamId(deps.sql, name), body.plan);
    res.json({ team: name, plan: plan ?? null });
  }));
}
