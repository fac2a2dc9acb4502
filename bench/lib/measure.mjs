// Measuring helpers: heap sampling, settling with a deadline, statistics.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full collection, so that heap figures start from the same floor. */
export const gc = runInNewContext('gc');

export const usedHeap = () => getHeapStatistics().used_heap_size;

/** Tracks the highest heap use seen while a scenario runs. */
export function heapTracker() {
  gc();
  const base = usedHeap();
  let peak = base;
  return {
    sample() {
      const used = usedHeap();
      if (used > peak) peak = used;
    },
    growth: () => peak - base,
  };
}

/** How an error is reported in the tables: its class and code, or the HTTP status. */
export function errorKind(error) {
  if (error?.response?.status && error.name === 'AxiosError')
    return `HTTP ${error.response.status}`;
  return error?.code ? `${error.name}:${error.code}` : String(error?.name ?? error);
}

/**
 * Counts how `promises` settle, with handlers attached at once (so no rejection is ever
 * unhandled); `wait(deadlineMs)` resolves when all have settled or the deadline passed, and
 * reports the ones that never settled as hung. `onSettle` runs after each settle.
 */
export function track(promises, onSettle = () => {}) {
  const result = { ok: 0, failed: 0, hung: 0, errors: {} };
  let pending = promises.length;
  let finish = () => {};
  const done = () => {
    onSettle();
    if (--pending === 0) finish();
  };
  for (const promise of promises) {
    promise.then(
      () => {
        result.ok++;
        done();
      },
      (error) => {
        result.failed++;
        const kind = errorKind(error);
        result.errors[kind] = (result.errors[kind] ?? 0) + 1;
        done();
      },
    );
  }
  return {
    wait(deadlineMs) {
      return new Promise((resolve) => {
        // A copy: requests that settle after the deadline must not change what was reported.
        const report = () => ({ ...result, hung: pending, errors: { ...result.errors } });
        if (pending === 0) return resolve(report());
        const timer = setTimeout(() => resolve(report()), deadlineMs);
        finish = () => {
          clearTimeout(timer);
          resolve(report());
        };
      });
    },
  };
}

/** track(promises, onSettle).wait(deadlineMs). */
export function settleAll(promises, deadlineMs, onSettle) {
  return track(promises, onSettle).wait(deadlineMs);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const min = (values) => Math.min(...values);
export const max = (values) => Math.max(...values);
export const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

/** Rotates the order of contenders per round, so that each runs first equally often. */
export function rotated(list, round) {
  const k = round % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
