// SIGINT (Ctrl-C), SIGTERM (`timeout`, `docker stop`, `kill`) and SIGHUP (a closed terminal) all
// mean "stop and keep what you have": while a command holds them, they are recorded instead of
// killing the process, and the command saves and exits with 128 + the signal's number.
import { constants } from 'node:os';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface SignalCatcher {
  /** The first signal received, or null. */
  readonly received: StopSignal | null;
  /** The exit status shells expect after it: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
  exitCode(): number;
  /** Let the event loop run so that pending signals are recorded; resolves to `received`. */
  poll(): Promise<StopSignal | null>;
  /** Restore the default handling. */
  dispose(): void;
}

export function catchStopSignals(): SignalCatcher {
  let received: StopSignal | null = null;
  const handlers = STOP_SIGNALS.map((sig) => {
    const h = (): void => { received ??= sig; };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return {
    get received() { return received; },
    exitCode: () => 128 + (received === null ? 0 : constants.signals[received]),
    poll: () => new Promise((res) => setImmediate(() => res(received))),
    dispose: () => { for (const [sig, h] of handlers) process.off(sig, h); },
  };
}
