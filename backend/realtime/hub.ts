/**
 * One project's channels in this process: who joined which topic, with what configuration and
 * as whom, and the presence of each topic. Broadcasts and presence diffs fan out from here to
 * the members' connections, each encoded in its connection's protocol version. DevFlow serves
 * a project from one process, so memory is the whole truth (as one Realtime node is).
 */
import type { BackendRole, JwtClaims } from '../contract.js';
import type { ChannelConfig } from './channel-config.js';
import { isEmptyDiff, TopicPresence, type PresenceDiff } from './presence.js';
import { encodeBroadcast, encodeMessage, type UserBroadcast, type Vsn } from './protocol.js';

export interface Caller {
  role: BackendRole;
  claims: JwtClaims;
  token: string;
}

/** A client's WebSocket as the hub sees it. */
export interface Connection {
  readonly vsn: Vsn;
  send(frame: string | Buffer): void;
}

export interface Member {
  readonly id: string;
  readonly connection: Connection;
  /** As the client names it: `realtime:<name>`. */
  readonly topic: string;
  readonly joinRef: string | null;
  readonly config: ChannelConfig;
  caller: Caller;
  /** The presence key: the configured one, else one made at join (as Supabase does). */
  readonly presenceKey: string;
}

interface Topic {
  members: Set<Member>;
  presence: TopicPresence;
}

export function subTopic(topic: string): string {
  return topic.replace(/^realtime:/, '');
}

/** Sends a message on the member's channel (its join_ref, no ref). */
export function sendOnChannel(member: Member, event: string, payload: unknown): void {
  member.connection.send(encodeMessage(member.connection.vsn, { join_ref: member.joinRef, ref: null, topic: member.topic, event, payload }));
}

export class ProjectHub {
  private readonly topics = new Map<string, Topic>();
  private presenceRefs = 0;

  join(member: Member): void {
    let topic = this.topics.get(member.topic);
    if (!topic) {
      topic = { members: new Set(), presence: new TopicPresence() };
      this.topics.set(member.topic, topic);
    }
    topic.members.add(member);
    if (member.config.presence.enabled) this.send(member, 'presence_state', topic.presence.state());
  }

  /** Removes a member; its presence, if any, leaves for the others. */
  leave(member: Member): void {
    const topic = this.topics.get(member.topic);
    if (!topic?.members.delete(member)) return;
    this.sendDiff(member.topic, topic.presence.untrack(member.id));
    if (topic.members.size === 0) this.topics.delete(member.topic);
  }

  /** To every member of the topic; to the sender only when it asked for `self`. */
  broadcast(topicName: string, message: UserBroadcast, from?: Member): number {
    const topic = this.topics.get(topicName);
    if (!topic) return 0;
    const frames = new Map<Vsn, string | Buffer>();
    let delivered = 0;
    for (const member of topic.members) {
      if (member === from && !member.config.broadcast.self) continue;
      const vsn = member.connection.vsn;
      let frame = frames.get(vsn);
      if (frame === undefined) frames.set(vsn, (frame = encodeBroadcast(vsn, topicName, message)));
      member.connection.send(frame);
      delivered += 1;
    }
    return delivered;
  }

  track(member: Member, payload: Record<string, unknown>): void {
    const topic = this.topics.get(member.topic);
    if (!topic?.members.has(member)) return;
    this.presenceRefs += 1;
    const ref = `${Date.now().toString(36)}${this.presenceRefs.toString(36)}`;
    this.sendDiff(member.topic, topic.presence.track(member.id, member.presenceKey, payload, ref));
  }

  untrack(member: Member): void {
    const topic = this.topics.get(member.topic);
    if (topic) this.sendDiff(member.topic, topic.presence.untrack(member.id));
  }

  send(member: Member, event: string, payload: unknown): void {
    sendOnChannel(member, event, payload);
  }

  *members(): Iterable<Member> {
    for (const topic of this.topics.values()) yield* topic.members;
  }

  /** Topic names with their member counts (the dashboard's realtime view). */
  channels(): { topic: string; subscribers: number }[] {
    return [...this.topics].map(([name, t]) => ({ topic: subTopic(name), subscribers: t.members.size }));
  }

  get isEmpty(): boolean {
    return this.topics.size === 0;
  }

  private sendDiff(topicName: string, diff: PresenceDiff): void {
    if (isEmptyDiff(diff)) return;
    for (const member of this.topics.get(topicName)?.members ?? []) {
      if (member.config.presence.enabled) this.send(member, 'presence_diff', diff);
    }
  }
}
