/**
 * The router's span sink (router/tracing/span-buffer.ts SpanSink): a batch of router spans, named
 * by app, goes into the span store under each app's id. Spans of an app removed meanwhile are
 * left out.
 */
import type { Sql } from '../../core/store/database.js';
import type { RouterSpan, SpanSink } from '../../router/index.js';
import { fromRouterSpan } from './span.js';
import type { SpanStore } from './store.js';

export class RouterSpanWriter implements SpanSink {
  constructor(private readonly sql: Sql, private readonly store: SpanStore) {}

  async writeRouterSpans(spans: RouterSpan[]): Promise<void> {
    const names = [...new Set(spans.map((s) => s.app))];
    const rows = await this.sql<Array<{ id: number; name: string }>>`SELECT id, name FROM apps WHERE name = ANY(${names})`;
    const ids = new Map(rows.map((r) => [r.name, r.id]));
    await this.store.write(spans.filter((s) => ids.has(s.app)).map((s) => fromRouterSpan(s, ids.get(s.app)!)));
  }
}
