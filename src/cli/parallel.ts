// Runs a check per model, several at once, and hands the results over in the
// order of the arguments as soon as each prefix is complete (issue 6: parallel checks).

/**
 * Calls `run(i)` for i in 0..n-1 with at most `jobs` running at a time and
 * `emit(i, result)` in index order. Stops starting new tasks once `signal`
 * aborts. If a task throws, the others are asked to stop through `stop`, every
 * started task is awaited (so no JVM outlives us), then the first error is thrown.
 */
export async function runInOrder<T>(
  n: number,
  jobs: number,
  run: (i: number) => Promise<T>,
  emit: (i: number, result: T) => void,
  signal: AbortSignal,
  stop: () => void,
): Promise<void> {
  const results = new Map<number, T>();
  let next = 0;
  let emitted = 0;
  const flush = () => {
    while (results.has(emitted)) {
      const r = results.get(emitted) as T;
      results.delete(emitted);
      emit(emitted++, r);
    }
  };
  const lane = async () => {
    while (next < n && !signal.aborted) {
      const i = next++;
      try {
        results.set(i, await run(i));
      } catch (err) {
        stop();
        throw err;
      }
      flush();
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(jobs, n)) }, lane));
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === "rejected");
  if (failed) throw failed.reason;
}
