/**
 * app.json scheduled jobs, in Dokku's shape (dokku.com/docs/processes/scheduled-cron-tasks):
 *
 *   { "cron": [ { "command": "node jobs/digest.js", "schedule": "0 7 * * *" } ] }
 *
 * Read when the release is built, like the health checks (app-json.ts): a bad schedule fails
 * the deploy with the entry and the field that is wrong, so the push shows it as a `remote:`
 * line and the running release is untouched. addons/cron runs the entries of the current release.
 */
import { parseCronSchedule, nextCronTime } from '../core/cron-schedule.js';
import { InvalidInputError } from '../core/errors.js';
import type { Artifact, CronEntry, LogSink } from '../core/types.js';
import { parseAppJsonDocument, readAppJsonPart } from './app-json.js';

const MAX_ENTRIES = 50;

/** undefined when the file has no `cron` list. */
export function parseAppJsonCron(text: string): CronEntry[] | undefined {
  const cron = (parseAppJsonDocument(text) as { cron?: unknown } | null)?.cron;
  if (cron === undefined) return undefined;
  if (!Array.isArray(cron)) throw new InvalidInputError('cron must be a list of {"command", "schedule"} entries');
  if (cron.length > MAX_ENTRIES) throw new InvalidInputError(`cron has ${cron.length} entries; at most ${MAX_ENTRIES}`);
  return cron.map((entry, i) => parseEntry(entry, `cron[${i}]`));
}

function parseEntry(input: unknown, where: string): CronEntry {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError(`${where} must be an object with "command" and "schedule"`);
  const { command, schedule } = input as Record<string, unknown>;
  if (typeof command !== 'string' || command.trim() === '') throw new InvalidInputError(`${where}.command must be the command to run, e.g. "node jobs/digest.js"`);
  try {
    const parsed = parseCronSchedule(schedule);
    nextCronTime(parsed, new Date());
  } catch (err) {
    throw new InvalidInputError(`${where}.schedule ${JSON.stringify(schedule)}: ${(err as Error).message}`);
  }
  return { command: command.trim(), schedule: (schedule as string).trim() };
}

/** The build's artifact with the source tree's app.json cron entries attached (when it has any). */
export async function withAppJsonCron(artifact: Artifact, sourceDir: string, log: LogSink): Promise<Artifact> {
  const cron = await readAppJsonPart(sourceDir, parseAppJsonCron);
  if (cron === undefined || cron.length === 0) return artifact;
  log.line(`-----> Using ${cron.length} scheduled job(s) from app.json: ${cron.map((c) => `"${c.schedule}" ${c.command}`).join('; ')}`);
  return { ...artifact, cron };
}
