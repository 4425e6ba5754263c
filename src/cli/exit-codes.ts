import type { State } from '../states/state.js';

// What `flow` exits with; cron and CI read these (API.md section 3).
export const EXIT_CODES = {
  completed: 0,
  failed: 1,
  usage: 2,
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

export const SIGNAL_EXIT_CODES = { SIGHUP: EXIT_CODES.sighup, SIGINT: EXIT_CODES.sigint, SIGTERM: EXIT_CODES.sigterm } as const;

// 0 only when the flow run completed; Failed, Crashed and anything else is 1.
export const exitCodeForState = (state: State): number => (state.type === 'COMPLETED' ? EXIT_CODES.completed : EXIT_CODES.failed);
