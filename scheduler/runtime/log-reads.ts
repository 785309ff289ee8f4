/**
 * Reading an instance's output incrementally, for RuntimeDriver.readLogs: the process runtime
 * appends to a log file per instance (position: a byte offset); Docker keeps each container's
 * log and Swarm each task's (position: the timestamp of the last line read, as `docker logs
 * --since --timestamps`).
 */
import fs from 'node:fs/promises';
import { demuxDockerLogLines } from './log-lines.js';
import type { LogRead, ReadLine } from './types.js';

/** At most this much is read from one file per call, so a chatty instance cannot stall the rest. */
const MAX_READ_BYTES = 1 << 20;

/** Whole lines of an instance's log file after a byte offset (the process runtime's log). */
export async function readLogFile(file: string, position: string | undefined): Promise<LogRead> {
  const offset = Number(position ?? 0);
  // Most reads find nothing new (issue 23, CPU at rest): one stat says so, without opening the file.
  const size = (await fs.stat(file).catch(() => undefined))?.size;
  if (size === undefined || size === offset) return { lines: [], position: String(offset) };
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return { lines: [], position: String(offset) };
  try {
    const size = (await handle.stat()).size;
    // A file shorter than our offset was truncated or replaced: start again.
    const start = size < offset ? 0 : offset;
    const length = Math.min(size - start, MAX_READ_BYTES);
    if (length <= 0) return { lines: [], position: String(start) };
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, start);
    // Only whole lines are taken; an unfinished last line waits for its newline.
    const end = buffer.lastIndexOf(10);
    if (end < 0) return { lines: [], position: String(start) };
    const now = new Date();
    const lines = splitText(buffer.subarray(0, end).toString('utf8')).map((text) => ({ at: now, text }));
    return { lines, position: String(start + end + 1) };
  } finally {
    await handle.close();
  }
}

function splitText(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, ''));
}

/**
 * An engine's timestamped log after the last line read (docker containers, swarm tasks);
 * `logsSince` is the engine's `logs --timestamps --since <seconds>`, undefined when the instance is gone.
 */
export async function readEngineLog(
  logsSince: (sinceSeconds: number) => Promise<Buffer | undefined>, position: string | undefined,
): Promise<LogRead> {
  const since = position === undefined ? 0 : Math.floor(Date.parse(position) / 1000);
  const buffer = await logsSince(since).catch(() => undefined);
  if (!buffer) return { lines: [], position: position ?? '' };
  let last = position;
  const lines: ReadLine[] = [];
  for (const raw of demuxDockerLogLines(buffer)) {
    const space = raw.indexOf(' ');
    const stamp = normaliseStamp(raw.slice(0, space));
    // `since` has whole-second precision, so lines already read come again; skip them.
    if (stamp === undefined || (last !== undefined && last !== '' && stamp <= last)) continue;
    last = stamp;
    lines.push({ at: new Date(stamp), text: raw.slice(space + 1) });
  }
  return { lines, position: last ?? '' };
}

/** RFC 3339 timestamps with exactly nine fraction digits compare correctly as strings. */
export function normaliseStamp(stamp: string): string | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(stamp);
  if (!match) return undefined;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z`;
}
