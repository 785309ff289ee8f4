/**
 * Short-lived tickets for the event stream and followed logs. A browser's EventSource cannot
 * send an Authorization header, so the dashboard trades its credential for a ticket (60 s, read
 * scope at most, the same teams and apps) and puts it in the URL, where a long-lived token would
 * leak into logs and history. Tickets live in this process's memory: a restart only makes the
 * browser ask again.
 */
import { randomBytes } from 'node:crypto';
import type { Access } from '../accounts/index.js';

export const TICKET_TTL_MS = 60_000;

export class TicketBook {
  private readonly tickets = new Map<string, { access: Access; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(access: Access): { ticket: string; expiresAt: Date } {
    this.sweep();
    const ticket = `dft_${randomBytes(24).toString('base64url')}`;
    const expires = this.now() + TICKET_TTL_MS;
    this.tickets.set(ticket, { access: { ...access, actor: `${access.actor} (ticket)`, scopes: ['read'] }, expires });
    return { ticket, expiresAt: new Date(expires) };
  }

  /** A ticket stays valid until it expires, so an EventSource may reconnect with it. */
  redeem(ticket: string): Access | undefined {
    const entry = this.tickets.get(ticket);
    if (!entry || entry.expires <= this.now()) return undefined;
    return entry.access;
  }

  private sweep(): void {
    const now = this.now();
    for (const [ticket, entry] of this.tickets) if (entry.expires <= now) this.tickets.delete(ticket);
  }
}
