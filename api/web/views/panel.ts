/// <reference lib="dom" />
/** One section of the app page: it draws itself into `root` and may react to live events. */
import type { LiveEvent } from '../client.js';
import { h } from '../dom.js';

export interface Panel {
  onEvent?(event: LiveEvent): void;
  dispose?(): void;
}

/** `path`: the URL's parts after the tab, for a panel with pages of its own (a trace). */
export type PanelFactory = (root: HTMLElement, app: string, path: string[]) => Panel;

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

/** Runs `pass` now and every `ms` after (the observability views poll), until the returned stop. */
export function every(ms: number, pass: () => Promise<void>): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    await pass().catch(() => undefined);
    if (!stopped) timer = setTimeout(() => void run(), ms);
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** A select of time ranges ("1h", "7d") named `name`, starting at `initial`, calling `onChange`. */
export function rangePicker(name: string, ranges: string[], initial: string, label: (range: string) => string, onChange: () => void): HTMLSelectElement {
  const select = h('select', { name, 'aria-label': 'range', onchange: onChange }, ...ranges.map((r) => h('option', { value: r }, label(r))));
  select.value = initial;
  return select;
}

/** A card titled `title` with a control at the right of its title. */
export function titledCard(title: string, control: HTMLElement, ...children: HTMLElement[]): HTMLElement {
  return h('div', { className: 'card' },
    h('div', { style: 'display:flex;justify-content:space-between;align-items:center' }, h('h2', {}, title), control), ...children);
}
