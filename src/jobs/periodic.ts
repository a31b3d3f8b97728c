export interface Periodic {
  /** Runs the task now (after the run in progress, if any) and resolves when that run ends. */
  runNow(): Promise<void>;
  /** No more runs; resolves once the one in progress has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `everyMs` (and at once with `atStart`), never two runs at a time: a tick that
 * finds the last run still going is skipped. The timer does not keep the process alive. A run
 * that throws is reported to `onError` and the next tick runs as usual.
 */
export function runPeriodically(task: () => Promise<void>, options: { everyMs: number; atStart?: boolean; onError: (err: unknown) => void }): Periodic {
  let running: Promise<void> | null = null;
  const tick = () =>
    (running ??= task()
      .catch(options.onError)
      .finally(() => {
        running = null;
      }));
  if (options.atStart) void tick();
  const timer = setInterval(tick, options.everyMs);
  timer.unref();
  return {
    async runNow() {
      await running;
      await tick();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
