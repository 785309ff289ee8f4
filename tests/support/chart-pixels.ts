/**
 * What a dashboard chart shows, read from the page as a person would see it: uPlot draws on a
 * canvas (api/web/views/chart.ts), so a test counts the canvas pixels in the series' line colour
 * (anti-aliasing blends the edges, hence a tolerance), and finds the release markers over it.
 */
import type { Page } from 'playwright-core';

/** The dashboard charts' line colour (chart.ts LINE, #3451d1). */
const LINE: [number, number, number] = [0x34, 0x51, 0xd1];

/** How many pixels of `figure[data-chart=<name>]`'s canvas are in the line colour. */
export async function linePixels(page: Page, name: string): Promise<number> {
  return page.$eval(`figure[data-chart="${name}"] canvas`, (canvas, line) => {
    const c = canvas as HTMLCanvasElement;
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 0 && Math.abs(data[i]! - line[0]) < 48 && Math.abs(data[i + 1]! - line[1]) < 48 && Math.abs(data[i + 2]! - line[2]) < 48) n++;
    }
    return n;
  }, LINE);
}

/** The release markers of a chart: their label and whether they stand inside the canvas's width. */
export async function releaseMarkers(page: Page, name: string): Promise<Array<{ label: string; inside: boolean }>> {
  return page.$eval(`figure[data-chart="${name}"]`, (figure) => {
    const box = figure.querySelector('canvas')!.getBoundingClientRect();
    return [...figure.querySelectorAll('[data-release-marker]')].map((m) => {
      const x = m.getBoundingClientRect().left;
      return { label: m.textContent ?? '', inside: x >= box.left && x <= box.right };
    });
  });
}
