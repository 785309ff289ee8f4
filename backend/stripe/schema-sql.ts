/**
 * The `stripe` schema in an app's own database (issue 20, "Stripe for apps"), run as the
 * database's owner role when the app connects Stripe. Idempotent: connecting again runs it
 * again. Two halves:
 *
 * - The app's copy of its Stripe objects (customers, subscriptions, invoices, prices), written
 *   from verified webhook events (webhook.ts) with the events themselves kept once each in
 *   `stripe.events`. Each object keeps its full JSON in `data` and a few columns worth an index
 *   or an RLS policy. Row-level security is on and no policy is made: the app writes its own
 *   (backend/stripe/README.md has a sample), so nothing leaks through the anon key meanwhile.
 * - The customer outbox, `stripe.user_customers`: a trigger on `auth.users` writes a row in the
 *   sign-up's own transaction, so a sign-up never waits for (or fails with) Stripe; the worker
 *   (outbox.ts) creates the customer later and keeps the link user → customer here.
 */
import { quoteIdent } from '../provision-sql.js';

/** The tables a request role may read (under RLS); the others are DevFlow's bookkeeping. */
const OBJECT_TABLES = ['customers', 'subscriptions', 'invoices', 'prices'] as const;

const TRIGGERS = [
  `CREATE TRIGGER devflow_stripe_user_created AFTER INSERT ON auth.users
     FOR EACH ROW EXECUTE FUNCTION stripe.enqueue_customer()`,
  `CREATE TRIGGER devflow_stripe_user_deleted AFTER DELETE ON auth.users
     FOR EACH ROW EXECUTE FUNCTION stripe.enqueue_customer_deletion()`,
  // Supabase's soft delete (admin deleteUser with shouldSoftDelete) sets deleted_at.
  `CREATE TRIGGER devflow_stripe_user_soft_deleted AFTER UPDATE OF deleted_at ON auth.users
     FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
     EXECUTE FUNCTION stripe.enqueue_customer_deletion()`,
];

function objectTablesSql(): string[] {
  const common = `data jsonb NOT NULL, last_event_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now()`;
  return [
    `CREATE TABLE IF NOT EXISTS stripe.customers (
       id text PRIMARY KEY, user_id uuid, email text, deleted boolean NOT NULL DEFAULT false, ${common})`,
    `CREATE INDEX IF NOT EXISTS customers_user_id ON stripe.customers (user_id)`,
    `CREATE TABLE IF NOT EXISTS stripe.subscriptions (
       id text PRIMARY KEY, customer text, status text, price text, current_period_end timestamptz,
       cancel_at_period_end boolean, ${common})`,
    `CREATE INDEX IF NOT EXISTS subscriptions_customer ON stripe.subscriptions (customer)`,
    `CREATE TABLE IF NOT EXISTS stripe.invoices (
       id text PRIMARY KEY, customer text, subscription text, status text, amount_due bigint, amount_paid bigint,
       currency text, ${common})`,
    `CREATE INDEX IF NOT EXISTS invoices_customer ON stripe.invoices (customer)`,
    `CREATE TABLE IF NOT EXISTS stripe.prices (
       id text PRIMARY KEY, product text, active boolean, currency text, unit_amount bigint, recurring_interval text,
       deleted boolean NOT NULL DEFAULT false, ${common})`,
    `CREATE TABLE IF NOT EXISTS stripe.events (
       id text PRIMARY KEY, type text NOT NULL, created timestamptz NOT NULL, livemode boolean NOT NULL,
       data jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`,
    // The app's question, "what is this user's subscription?", as one view; security_invoker
    // makes it read the tables under the caller's own RLS policies.
    `CREATE OR REPLACE VIEW stripe.user_subscriptions WITH (security_invoker = true) AS
       SELECT c.user_id, s.id AS subscription_id, s.customer, s.status, s.price, s.current_period_end, s.cancel_at_period_end
       FROM stripe.subscriptions s JOIN stripe.customers c ON c.id = s.customer WHERE c.user_id IS NOT NULL`,
  ];
}

function outboxSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS stripe.user_customers (
       user_id uuid PRIMARY KEY,
       email text,
       customer_id text UNIQUE,
       pending text CHECK (pending IN ('create', 'delete')),
       attempts integer NOT NULL DEFAULT 0,
       create_sent boolean NOT NULL DEFAULT false,
       next_attempt_at timestamptz NOT NULL DEFAULT now(),
       last_error text,
       created_at timestamptz NOT NULL DEFAULT now(),
       user_deleted_at timestamptz)`,
    `CREATE INDEX IF NOT EXISTS user_customers_due ON stripe.user_customers (next_attempt_at) WHERE pending IS NOT NULL`,
    `CREATE OR REPLACE FUNCTION stripe.enqueue_customer() RETURNS trigger
       LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
     BEGIN
       INSERT INTO stripe.user_customers (user_id, email, pending) VALUES (NEW.id, NEW.email, 'create')
       ON CONFLICT (user_id) DO NOTHING;
       RETURN NULL;
     END $$`,
    `CREATE OR REPLACE FUNCTION stripe.enqueue_customer_deletion() RETURNS trigger
       LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
     BEGIN
       UPDATE stripe.user_customers SET pending = 'delete', user_deleted_at = now(), attempts = 0,
         next_attempt_at = now(), last_error = NULL
       WHERE user_id = OLD.id AND user_deleted_at IS NULL;
       RETURN NULL;
     END $$`,
  ];
}

/** Run as the app database's owner (who owns auth.users, so may put triggers on it). */
export function stripeSchemaSql(owner: string): string[] {
  const o = quoteIdent(owner);
  return [
    `CREATE SCHEMA IF NOT EXISTS stripe AUTHORIZATION ${o}`,
    ...objectTablesSql(),
    ...outboxSql(),
    ...OBJECT_TABLES.map((t) => `ALTER TABLE stripe.${t} ENABLE ROW LEVEL SECURITY`),
    'GRANT USAGE ON SCHEMA stripe TO authenticated, service_role',
    `GRANT SELECT ON ${OBJECT_TABLES.map((t) => `stripe.${t}`).join(', ')}, stripe.user_subscriptions TO authenticated, service_role`,
    ...disconnectSql(),
    ...TRIGGERS,
    // Users who signed up before the app connected Stripe (or while it was disconnected) get theirs too.
    `INSERT INTO stripe.user_customers (user_id, email, pending)
       SELECT id, email, 'create' FROM auth.users WHERE deleted_at IS NULL
       ON CONFLICT (user_id) DO NOTHING`,
    // ... and users deleted meanwhile lose theirs.
    `UPDATE stripe.user_customers u SET pending = 'delete', user_deleted_at = now(), attempts = 0, next_attempt_at = now()
       WHERE u.user_deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM auth.users a WHERE a.id = u.user_id AND a.deleted_at IS NULL)`,
  ];
}

/** Disconnecting stops new outbox rows; the synced data stays the app's. */
export function disconnectSql(): string[] {
  return ['devflow_stripe_user_created', 'devflow_stripe_user_deleted', 'devflow_stripe_user_soft_deleted']
    .map((name) => `DROP TRIGGER IF EXISTS ${name} ON auth.users`);
}
