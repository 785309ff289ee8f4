/**
 * One client WebSocket speaking the Phoenix channel protocol (protocol.ts) as Supabase Realtime
 * serves it: heartbeats on the `phoenix` topic, `phx_join` with the channel's configuration and
 * token, `phx_leave`, `broadcast`, `presence` (track, untrack), `access_token` refreshes, and a
 * channel closed when its token expires. A bad frame gets an error reply (or a `phx_error` on
 * the `phoenix` topic when it has no ref) and the connection carries on.
 */
import { randomUUID } from 'node:crypto';
import type { BackendProject, UpgradeContext } from '../contract.js';
import { bindingsReply, JoinError, parseJoinPayload, type ChannelConfig } from './channel-config.js';
import { subTopic, type Caller, type Connection, type Member, type ProjectHub } from './hub.js';
import { decodeBinary, decodeText, encodeMessage, ProtocolError, reply, type PhoenixMessage, type Vsn } from './protocol.js';

/** postgres_changes delivery (changes.ts), behind the little the session needs. */
export interface ChangeSubscriptions {
  /** Resolves once every change committed from now on reaches the member; rejects with a message for the client. */
  add(member: Member, project: BackendProject, current: () => Promise<BackendProject | undefined>): Promise<void>;
  remove(member: Member): void;
}

/** RLS on realtime.messages for private channels (authorization.ts). */
export interface PrivateChannels {
  allowed(project: BackendProject, caller: Caller, topic: string, extension: 'broadcast' | 'presence', action: 'read' | 'write'): Promise<boolean>;
}

export interface SessionDeps {
  hub: ProjectHub;
  ctx: UpgradeContext;
  connection: Connection & { close(code: number, reason: string): void };
  changes: ChangeSubscriptions;
  privateChannels: PrivateChannels;
  nextBindingId(): number;
  log(line: string): void;
}

interface Joined {
  member: Member;
  expiry: NodeJS.Timeout | undefined;
  /** Private channels' write checks, made once per action kind and token. */
  writes: Map<string, Promise<boolean>>;
}

/** setTimeout's longest delay; a token valid longer is checked again after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RealtimeSession {
  private readonly joined = new Map<string, Joined>();
  private closed = false;

  constructor(private readonly deps: SessionDeps) {}

  get vsn(): Vsn {
    return this.deps.connection.vsn;
  }

  /** One frame from the client; errors are answered, never thrown. */
  async receive(data: Buffer, isBinary: boolean): Promise<void> {
    let message: PhoenixMessage;
    try {
      if (isBinary && this.vsn === '1.0.0') throw new ProtocolError('binary frames need protocol 2.0.0 (vsn=2.0.0)');
      message = isBinary ? decodeBinary(data) : decodeText(this.vsn, data.toString('utf8'));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return this.refuse(err);
    }
    try {
      await this.dispatch(message);
    } catch (err) {
      if (err instanceof ProtocolError || err instanceof JoinError) return this.send(reply(message, 'error', { reason: err.message }));
      this.deps.log(`realtime ${this.deps.ctx.project.ref}: ${message.event} on ${message.topic} failed: ${String(err)}`);
      this.send(reply(message, 'error', { reason: 'an unexpected error occurred' }));
    }
  }

  /** The socket closed: every channel leaves. */
  close(): void {
    this.closed = true;
    for (const topic of [...this.joined.keys()]) this.part(topic);
  }

  private refuse(err: ProtocolError): void {
    if (err.ref !== null && err.topic !== null) return this.send(reply({ join_ref: null, ref: err.ref, topic: err.topic }, 'error', { reason: err.message }));
    this.send({ join_ref: null, ref: err.ref, topic: 'phoenix', event: 'phx_error', payload: { reason: err.message } });
  }

  private send(message: PhoenixMessage): void {
    if (!this.closed) this.deps.connection.send(encodeMessage(this.vsn, message));
  }

  private async dispatch(m: PhoenixMessage): Promise<void> {
    if (m.topic === 'phoenix') {
      if (m.event === 'heartbeat') return this.send(reply(m, 'ok'));
      throw new ProtocolError(`unknown event "${m.event}" on the phoenix topic`);
    }
    if (m.event === 'phx_join') return this.join(m);
    const joined = this.joined.get(m.topic);
    if (!joined) return this.send(reply(m, 'error', { reason: 'unmatched topic' }));
    const payload = m.payload as Record<string, unknown>;
    switch (m.event) {
      case 'phx_leave':
        this.part(m.topic);
        return this.send(reply(m, 'ok'));
      case 'broadcast':
        return this.broadcast(joined, m, payload);
      case 'presence':
        return this.presence(joined, m, payload);
      case 'access_token':
        return this.refreshToken(joined, m, payload);
      default:
        throw new ProtocolError(`unknown event "${m.event}"`);
    }
  }

  private async join(m: PhoenixMessage): Promise<void> {
    if (!m.topic.startsWith('realtime:')) return this.send(reply(m, 'error', { reason: 'unmatched topic' }));
    const config = parseJoinPayload(m.payload, this.deps.nextBindingId);
    const caller = await this.callerFor(config);
    if (typeof caller === 'string') return this.send(reply(m, 'error', { reason: caller }));
    const project = await this.project();
    if (config.private && !(await this.deps.privateChannels.allowed(project, caller, subTopic(m.topic), 'broadcast', 'read'))) {
      return this.send(reply(m, 'error', { reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic(m.topic)}` }));
    }
    // A second join of the same topic replaces the first, as a Phoenix server does.
    if (this.joined.has(m.topic)) this.part(m.topic, true);
    const member: Member = {
      id: randomUUID(), connection: this.deps.connection, topic: m.topic, joinRef: m.join_ref ?? m.ref, config, caller,
      presenceKey: config.presence.key || randomUUID(),
    };
    if (config.changes.length > 0) {
      try {
        await this.deps.changes.add(member, project, () => this.deps.ctx.currentProject());
      } catch (err) {
        return this.send(reply(m, 'error', { reason: `postgres_changes: ${(err as Error).message}` }));
      }
    }
    const joined: Joined = { member, expiry: undefined, writes: new Map() };
    this.joined.set(m.topic, joined);
    this.send(reply(m, 'ok', { postgres_changes: bindingsReply(config.changes) }));
    this.deps.hub.join(member);
    this.scheduleExpiry(joined);
    if (config.changes.length > 0) {
      this.deps.hub.send(member, 'system', { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: subTopic(m.topic) });
    }
  }

  /** The channel's token (its access_token, else the connection's key) checked as the gateway does. */
  private async callerFor(config: ChannelConfig): Promise<Caller | string> {
    const { ctx } = this.deps;
    if (!config.accessToken || config.accessToken === ctx.token) return { role: ctx.role, claims: ctx.claims, token: ctx.token };
    const check = await ctx.checkToken(config.accessToken);
    if (!check.ok) return check.reason === 'expired' ? 'Token has expired' : `Invalid token: ${check.message}`;
    return { role: check.role, claims: check.claims, token: config.accessToken };
  }

  private async project(): Promise<BackendProject> {
    const project = await this.deps.ctx.currentProject();
    if (!project) {
      this.deps.connection.close(1008, 'the project no longer has a backend');
      throw new ProtocolError('the project no longer has a backend');
    }
    return project;
  }

  private part(topic: string, replaced = false): void {
    const joined = this.joined.get(topic);
    if (!joined) return;
    this.joined.delete(topic);
    clearTimeout(joined.expiry);
    this.deps.hub.leave(joined.member);
    this.deps.changes.remove(joined.member);
    if (replaced) this.deps.hub.send(joined.member, 'phx_close', {});
  }

  private async mayWrite(joined: Joined, extension: 'broadcast' | 'presence'): Promise<boolean> {
    const { member } = joined;
    if (!member.config.private) return true;
    let decision = joined.writes.get(extension);
    if (!decision) {
      decision = this.project().then((p) => this.deps.privateChannels.allowed(p, member.caller, subTopic(member.topic), extension, 'write'));
      joined.writes.set(extension, decision);
    }
    return decision;
  }

  private async broadcast(joined: Joined, m: PhoenixMessage, payload: Record<string, unknown>): Promise<void> {
    const event = payload.event;
    if (typeof event !== 'string') throw new ProtocolError('a broadcast needs an event (a string)', m.ref, m.topic);
    if (!(await this.mayWrite(joined, 'broadcast'))) {
      return this.send(reply(m, 'error', { reason: 'Unauthorized: You do not have permissions to write to this Channel topic' }));
    }
    const binary = Buffer.isBuffer(payload.binary) ? payload.binary : undefined;
    this.deps.hub.broadcast(m.topic, { event, payload: payload.payload, binary }, joined.member);
    if (joined.member.config.broadcast.ack) this.send(reply(m, 'ok'));
  }

  private async presence(joined: Joined, m: PhoenixMessage, payload: Record<string, unknown>): Promise<void> {
    if (!(await this.mayWrite(joined, 'presence'))) {
      return this.send(reply(m, 'error', { reason: 'Unauthorized: You do not have permissions to track presence on this Channel topic' }));
    }
    if (payload.event === 'track') {
      const tracked = payload.payload;
      const meta = tracked !== null && typeof tracked === 'object' && !Array.isArray(tracked) ? (tracked as Record<string, unknown>) : {};
      this.deps.hub.track(joined.member, meta);
    } else if (payload.event === 'untrack') {
      this.deps.hub.untrack(joined.member);
    } else {
      throw new ProtocolError('presence events are track and untrack', m.ref, m.topic);
    }
    this.send(reply(m, 'ok'));
  }

  private async refreshToken(joined: Joined, m: PhoenixMessage, payload: Record<string, unknown>): Promise<void> {
    const token = payload.access_token;
    if (typeof token !== 'string' || token === '') throw new ProtocolError('access_token must be a token', m.ref, m.topic);
    if (token === joined.member.caller.token) return;
    const check = await this.deps.ctx.checkToken(token);
    if (!check.ok) return this.closeChannel(joined, check.reason === 'expired' ? 'Token has expired' : `Invalid token: ${check.message}`);
    joined.member.caller = { role: check.role, claims: check.claims, token };
    joined.writes.clear();
    this.scheduleExpiry(joined);
  }

  private scheduleExpiry(joined: Joined): void {
    clearTimeout(joined.expiry);
    const exp = joined.member.caller.claims.exp;
    if (typeof exp !== 'number') return;
    const delay = exp * 1000 - Date.now();
    joined.expiry = setTimeout(() => {
      if (exp * 1000 <= Date.now()) this.closeChannel(joined, 'Token has expired');
      else this.scheduleExpiry(joined);
    }, Math.max(0, Math.min(delay, MAX_TIMER_MS)));
    joined.expiry.unref();
  }

  /** Tells the client why (a `system` error) and closes the channel, as Supabase does on a bad token. */
  private closeChannel(joined: Joined, reason: string): void {
    const { member } = joined;
    if (this.joined.get(member.topic) !== joined) return;
    this.deps.hub.send(member, 'system', { extension: 'system', status: 'error', message: reason, channel: subTopic(member.topic) });
    this.part(member.topic);
    this.deps.hub.send(member, 'phx_close', {});
  }
}
