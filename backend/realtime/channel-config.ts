/**
 * A `phx_join` payload as realtime-js sends it (RealtimeChannel.subscribe): `{ config: {
 * broadcast: { self, ack }, presence: { key, enabled }, postgres_changes: [{ event, schema,
 * table, filter }], private }, access_token? }`, checked once here; the rest of the service
 * trusts the result. The join reply echoes each postgres_changes binding with the id the
 * server gives it, which the client matches by position, event, schema, table and filter.
 */
import { parseFilter, type Condition } from './filters.js';

export type ChangeEvent = 'INSERT' | 'UPDATE' | 'DELETE' | '*';
const CHANGE_EVENTS: readonly ChangeEvent[] = ['INSERT', 'UPDATE', 'DELETE', '*'];

export interface ChangeBinding {
  id: number;
  event: ChangeEvent;
  /** The event as the client wrote it: the join reply must echo it unchanged. */
  eventAsSent: string;
  schema: string;
  table: string | undefined;
  filter: string | undefined;
  conditions: Condition[];
}

export interface ChannelConfig {
  broadcast: { self: boolean; ack: boolean };
  presence: { key: string; enabled: boolean };
  private: boolean;
  changes: ChangeBinding[];
  accessToken: string | undefined;
}

export class JoinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JoinError';
  }
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new JoinError(`${what} must be a string`);
  return value;
}

function parseBinding(raw: unknown, id: number): ChangeBinding {
  const b = record(raw);
  const event = String(b.event ?? '').toUpperCase() as ChangeEvent;
  if (!CHANGE_EVENTS.includes(event)) throw new JoinError(`postgres_changes event must be one of ${CHANGE_EVENTS.join(', ')}`);
  const schema = optionalString(b.schema, 'postgres_changes schema');
  if (!schema) throw new JoinError('postgres_changes needs a schema');
  const filter = optionalString(b.filter, 'postgres_changes filter');
  let conditions: Condition[];
  try {
    conditions = parseFilter(filter);
  } catch (err) {
    throw new JoinError(`invalid postgres_changes filter: ${(err as Error).message}`);
  }
  return { id, event, eventAsSent: String(b.event), schema, table: optionalString(b.table, 'postgres_changes table'), filter, conditions };
}

/** `nextId` numbers bindings uniquely across the server, so an event's `ids` name them alone. */
export function parseJoinPayload(payload: unknown, nextId: () => number): ChannelConfig {
  const p = record(payload);
  const config = record(p.config);
  const broadcast = record(config.broadcast);
  const presence = record(config.presence);
  const rawChanges = config.postgres_changes ?? [];
  if (!Array.isArray(rawChanges)) throw new JoinError('postgres_changes must be a list');
  return {
    broadcast: { self: broadcast.self === true, ack: broadcast.ack === true },
    presence: { key: typeof presence.key === 'string' ? presence.key : '', enabled: presence.enabled === true },
    private: config.private === true,
    changes: rawChanges.map((b) => parseBinding(b, nextId())),
    accessToken: optionalString(p.access_token, 'access_token') || undefined,
  };
}

/** The join reply's `postgres_changes`, as the client expects it back. */
export function bindingsReply(changes: ChangeBinding[]): Record<string, unknown>[] {
  return changes.map((c) => ({ id: c.id, event: c.eventAsSent, schema: c.schema, table: c.table, filter: c.filter }));
}

/** Whether a change of `type` on schema.table is one a binding asked for (filters apart). */
export function bindingWants(binding: ChangeBinding, type: 'INSERT' | 'UPDATE' | 'DELETE', schema: string, table: string): boolean {
  if (binding.event !== '*' && binding.event !== type) return false;
  if (binding.schema !== '*' && binding.schema !== schema) return false;
  return binding.table === undefined || binding.table === '*' || binding.table === table;
}
