/// <reference lib="dom" />
/** One section of the app page: it draws itself into `root` and may react to live events. */
import type { LiveEvent } from '../client.js';
import { h } from '../dom.js';

export interface Panel {
  onEvent?(event: LiveEvent): void;
  dispose?(): void;
}

export type PanelFactory = (root: HTMLElement, app: string) => Panel;

/** Runs an action, showing its error under `where` instead of losing it. */
export async function attempt(where: HTMLElement, action: () => Promise<void>): Promise<void> {
  where.querySelector(':scope > .error')?.remove();
  try {
    await action();
  } catch (err) {
    where.append(h('div', { className: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
  }
}

/** Tells the page a panel changed the app (rollback, config, scale), so the header redraws. */
export function notifyChanged(): void {
  window.dispatchEvent(new CustomEvent('devflow:changed'));
}
