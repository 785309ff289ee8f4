/**
 * Whether a small cost can be told from the round-to-round noise of saturated throughput (issue
 * 18: tracing may cost at most 3 points of the router's ratio to nginx). Each round measures the
 * proxy with tracing off and on minutes apart at most, so their difference, in points of that
 * round's nginx, cancels most of what moves the machine between rounds; the median of those
 * differences comes with a distribution-free confidence interval (order statistics of the
 * binomial), so a run says "within 3 points" only when the interval's top is at or below 3.
 */

export interface PairedRound {
  nginx: number;
  off: number;
  on: number;
}

export interface PairedDrop {
  /** Points of nginx's throughput that the change costs, per round. */
  drops: number[];
  median: number;
  /** The interval that holds the true median with at least `confidence`; undefined below 6 rounds. */
  low?: number;
  high?: number;
  confidence?: number;
}

function binomialAtMost(k: number, n: number): number {
  let sum = 0;
  let term = 0.5 ** n; // C(n, 0) / 2^n
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

export function pairedDrop(rounds: PairedRound[], wanted = 0.95): PairedDrop {
  const drops = rounds.map((r) => ((r.off - r.on) / r.nginx) * 100);
  const sorted = [...drops].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  // The interval [x(k+1), x(n-k)] misses the median with probability 2·P(B ≤ k), B ~ Bin(n, ½);
  // take the largest k that keeps the coverage at least `wanted`.
  let k = -1;
  while (k + 1 < n / 2 && 1 - 2 * binomialAtMost(k + 1, n) >= wanted) k++;
  if (k < 0) return { drops, median };
  return { drops, median, low: sorted[k]!, high: sorted[n - 1 - k]!, confidence: 1 - 2 * binomialAtMost(k, n) };
}
