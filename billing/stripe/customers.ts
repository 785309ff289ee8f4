/**
 * A Stripe customer per team, made the first time the team needs one (Checkout, the portal).
 * The create call carries an idempotency key of the team (its id and creation time), so two
 * requests at once, or a retry after a lost answer, make one customer; the row keeps it after
 * Stripe's keys expire (24 hours).
 */
import type Stripe from 'stripe';
import type { Sql } from '../../core/store/database.js';
import { callStripe } from './client.js';

export interface TeamRef {
  id: number;
  name: string;
}

export async function storedCustomer(sql: Sql, teamId: number): Promise<string | undefined> {
  const [row] = await sql<Array<{ stripe_customer_id: string }>>`SELECT stripe_customer_id FROM billing_customers WHERE team_id = ${teamId}`;
  return row?.stripe_customer_id;
}

export async function teamCustomer(sql: Sql, stripe: Stripe, team: TeamRef): Promise<string> {
  const stored = await storedCustomer(sql, team.id);
  if (stored) return stored;
  const [t] = await sql<Array<{ created_at: Date }>>`SELECT created_at FROM teams WHERE id = ${team.id}`;
  const customer = await callStripe(`create a customer for team "${team.name}"`, () => stripe.customers.create(
    { name: team.name, metadata: { devflow_team: team.name, devflow_team_id: String(team.id) } },
    { idempotencyKey: `devflow-team-${team.id}-${t!.created_at.getTime()}-customer` },
  ));
  await sql`INSERT INTO billing_customers (team_id, stripe_customer_id) VALUES (${team.id}, ${customer.id}) ON CONFLICT (team_id) DO NOTHING`;
  return (await storedCustomer(sql, team.id))!;
}
