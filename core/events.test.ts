import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { EventBus, type DevflowEvent } from './events.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => db.drop());

describe('EventBus over LISTEN/NOTIFY', () => {
  it('delivers events in publish order to every subscriber, and cuts long lines', async () => {
    const bus = new EventBus(db.url, db.sql);
    await bus.start();
    const received: DevflowEvent[] = [];
    const all = new Promise<void>((resolve) => {
      bus.subscribe((event) => {
        received.push(event);
        if (received.length === 50) resolve();
      });
    });
    for (let seq = 0; seq < 49; seq++) {
      void bus.publish({ type: 'deployment.log', deploymentId: 1, app: 'a', seq, line: `line ${seq}` });
    }
    await bus.publish({ type: 'deployment.log', deploymentId: 1, app: 'a', seq: 49, line: 'x'.repeat(10_000) });
    await all;
    await bus.close();
    const seqs = received.map((e) => (e.type === 'deployment.log' ? e.seq : -1));
    expect(seqs).toEqual([...Array(50).keys()]);
    const last = received[49];
    expect(last?.type === 'deployment.log' && last.line.length).toBe(4000);
  });
});
