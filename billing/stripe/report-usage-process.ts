/**
 * One pass of usage reporting (platform.ts reportUsageOnce) in a process of its own, the way a
 * DevFlow server runs it: meter-outbox.test.ts kills it between Stripe's answer and the commit
 * and starts it again. Arguments: database URL, Stripe API URL, secret key, instance meter event
 * name (the build and egress meters get their default names).
 * Prints `{"sent": n}`.
 */
import { connect } from '../../core/store/database.js';
import { stripeClient } from './client.js';
import { meterEventNames, reportUsageOnce } from './platform.js';
import { readStripeSettings } from '../../core/settings.js';

const [databaseUrl, apiUrl, secretKey, eventName] = process.argv.slice(2);
if (!databaseUrl || !apiUrl || !secretKey || !eventName) {
  console.error('usage: report-usage-process <database-url> <stripe-api-url> <secret-key> <event-name>');
  process.exit(2);
}
const sql = connect(databaseUrl, 2);
const events = meterEventNames(readStripeSettings({ DEVFLOW_STRIPE_SECRET_KEY: secretKey, DEVFLOW_STRIPE_API_URL: apiUrl, DEVFLOW_STRIPE_METER_EVENT: eventName })!);
const result = await reportUsageOnce(sql, stripeClient({ secretKey, apiUrl }), events, (line) => console.error(line));
console.log(JSON.stringify(result));
await sql.end({ timeout: 2 });
