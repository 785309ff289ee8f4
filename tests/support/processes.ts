/** What runs on this machine, by command line, as `pgrep -af` sees it (the host sees a container's processes too). */
import { execa } from 'execa';

/** The processes whose command line holds `needle`. */
export async function processesWith(needle: string): Promise<string[]> {
  const { stdout } = await execa('pgrep', ['-af', needle], { reject: false });
  return stdout.split('\n').filter((line) => line.includes(needle) && !line.includes('pgrep'));
}

/** Waits (up to 10 s) until a process holds `needle`, and returns them; none found returns []. */
export async function runningSoon(needle: string): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const found = await processesWith(needle);
    if (found.length > 0) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

/** Waits (up to 20 s: a kill takes effect a moment later) until no process holds `needle`; returns what is left. */
export async function leftRunning(needle: string): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    if ((await processesWith(needle)).length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return processesWith(needle);
}
