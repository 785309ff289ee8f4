/**
 * The platform's one mail path: every role that mails (the app backend's Auth, team
 * invitations, email alerts) sends through a platform mailer, which delivers to DEVFLOW_SMTP_URL
 * when it is set, else to the embedded mail catcher (catcher.ts), so mails reach someone on a
 * fresh install with no mail server. Nothing starts until the first mail. The catcher is shared:
 * one per control-plane store in this process, however many roles mail, and it stops when the
 * last of them closes.
 */
import type { Sql } from '../store/database.js';
import type { MailCatcher } from './catcher.js';
import { smtpMailer, type ClosableMailer } from './smtp.js';

export interface PlatformMailOptions {
  /** The control-plane store: where the catcher keeps its mails. */
  sql: Sql;
  /** DEVFLOW_SMTP_URL; undefined: the embedded catcher. */
  smtpUrl: string | undefined;
}

interface SharedCatcher { catcher: Promise<MailCatcher>; users: number }
const catchers = new Map<Sql, SharedCatcher>();

async function startCatcher(sql: Sql): Promise<MailCatcher> {
  // Loaded here, not at the top: the SMTP server and the mail parser cost memory an idle DevFlow keeps.
  const { caughtMailSql, startMailCatcher } = await import('./catcher.js');
  for (const statement of caughtMailSql()) await sql.unsafe(statement);
  return startMailCatcher({ sql });
}

/** Joins the store's catcher (starting it for the first user); returns its URL and a release. */
async function joinCatcher(sql: Sql): Promise<{ url: string; leave(): Promise<void> }> {
  let shared = catchers.get(sql);
  if (!shared) {
    shared = { catcher: startCatcher(sql), users: 0 };
    catchers.set(sql, shared);
    shared.catcher.catch(() => catchers.delete(sql));
  }
  shared.users += 1;
  const entry = shared;
  const catcher = await entry.catcher;
  return {
    url: catcher.url,
    async leave() {
      entry.users -= 1;
      if (entry.users > 0) return;
      catchers.delete(sql);
      await catcher.close();
    },
  };
}

export function platformMailer(options: PlatformMailOptions): ClosableMailer {
  let ready: Promise<{ mailer: ClosableMailer; leave(): Promise<void> }> | undefined;
  const open = async () => {
    if (options.smtpUrl) return { mailer: smtpMailer(options.smtpUrl), leave: async () => {} };
    const joined = await joinCatcher(options.sql);
    return { mailer: smtpMailer(joined.url), leave: joined.leave };
  };
  return {
    async send(mail) {
      ready ??= open();
      ready.catch(() => (ready = undefined)); // a catcher that failed to start is tried again on the next mail
      await (await ready).mailer.send(mail);
    },
    async close() {
      const opened = await ready?.catch(() => undefined);
      ready = undefined;
      if (!opened) return;
      await opened.mailer.close();
      await opened.leave();
    },
  };
}
