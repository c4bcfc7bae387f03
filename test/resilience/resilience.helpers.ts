/** Runs `worker` on `concurrency` lanes until `ms` have passed or `maxCalls` were made (bounded in time and count). */
export async function loadFor<T>(ms: number, concurrency: number, worker: () => Promise<T>, maxCalls = 2000): Promise<T[]> {
  const deadline = Date.now() + ms;
  const results: T[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline && started < maxCalls) {
        started++;
        results.push(await worker());
      }
    }),
  );
  return results;
}

export interface Timed<T> {
  ms: number;
  value: T;
}

export async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const start = Date.now();
  const value = await fn();
  return { ms: Date.now() - start, value };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One metric value from the Prometheus text, or undefined. */
export function metricValue(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : undefined;
}
