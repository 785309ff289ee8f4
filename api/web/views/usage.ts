/// <reference lib="dom" />
/**
 * Usage (issue 20): what a team's apps (#/usage, the header's team) or one app (its Usage tab)
 * used in a month: the totals (GET …/usage) and one chart per figure by day or hour
 * (GET …/usage/series), drawn with the metrics views' chart.
 */
import { api, session } from '../client.js';
import { h, replace } from '../dom.js';
import { lineChart } from './chart.js';
import { attempt, type Panel } from './panel.js';
import { USAGE_SERIES, usageChartPoints, usageRows, type UsagePointView, type UsageTotalsView } from './usage-figures.js';

interface Series { month: string; step: 'day' | 'hour'; points: UsagePointView[] }

const thisMonth = () => new Date().toISOString().slice(0, 7);

/** The view for `base`: "/teams/<team>" or "/apps/<app>". */
function usageCard(root: HTMLElement, title: string, base: string): HTMLElement {
  const month = h('input', { type: 'month', name: 'usage-month', 'aria-label': 'month', value: thisMonth() });
  const step = h('select', { name: 'usage-step', 'aria-label': 'step' }, h('option', { value: 'day' }, 'by day'), h('option', { value: 'hour' }, 'by hour'));
  const totals = h('tbody');
  const charts = h('div', { style: 'display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:12px' });
  const card = h('div', { className: 'card' });
  const draw = () => attempt(card, async () => {
    const query = `month=${encodeURIComponent(month.value || thisMonth())}`;
    const [sums, series] = await Promise.all([
      api<UsageTotalsView>('GET', `${base}/usage?${query}`),
      api<Series>('GET', `${base}/usage/series?${query}&step=${step.value}`),
    ]);
    replace(totals, ...usageRows(sums).map(([key, label, text]) => h('tr', { 'data-usage': key }, h('th', {}, label), h('td', {}, text))));
    const [year, m] = series.month.split('-').map(Number);
    const from = Date.UTC(year!, m! - 1, 1);
    const to = Date.UTC(year!, m!, 1);
    const points = usageChartPoints(series.points);
    replace(charts, ...USAGE_SERIES.map(([name, label]) => lineChart({ name, label: `${label} per ${series.step}`, points, from, to, releases: [], utc: true })));
    card.setAttribute('data-usage-month', series.month);
  });
  month.addEventListener('change', () => void draw());
  step.addEventListener('change', () => void draw());
  replace(root, card);
  replace(card,
    h('div', { style: 'display:flex;justify-content:space-between;align-items:center' }, h('h2', {}, title), h('div', { className: 'inline' }, month, step)),
    h('table', { 'data-testid': 'usage-totals' }, totals), charts,
    h('p', { className: 'muted' }, 'Counted in UTC. Instance time and builds are exact; requests and egress are flushed from the router every minute; sizes are sampled hourly.'));
  void draw();
  return card;
}

export function renderUsage(root: HTMLElement): void {
  const team = session.team();
  if (!team) {
    replace(root, h('div', { className: 'card' }, h('h1', {}, 'Usage'), h('p', { className: 'muted' }, 'Choose a team in the switcher above.')));
    return;
  }
  usageCard(root, `Usage of team ${team}`, `/teams/${encodeURIComponent(team)}`);
}

export function usagePanel(root: HTMLElement, app: string): Panel {
  usageCard(root, 'Usage', `/apps/${encodeURIComponent(app)}`);
  return {};
}
