/**
 * A local stand-in for an EventBridge schedule rule: runs `task` every `intervalMs`, never two at
 * once (a run that takes longer delays the next one). Errors go to `onError`.
 */
export interface Schedule {
  stop(): Promise<void>;
}

export function startSchedule(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): Schedule {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    running = task()
      .then(() => undefined, onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
