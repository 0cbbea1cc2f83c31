/**
 * The arithmetic of a credential's shared budget, pure: GCRA (the generic cell rate algorithm) with
 * a burst of one, over one state every Lambda of the credential reads and writes by compare-and-set
 * (`SharedRateLimiter.ts`). `tat` is the theoretical arrival time, the earliest instant the next
 * request may start; each grant moves it one interval past the start it grants, so grants are at
 * least one interval apart whoever asks. `pausedUntil` is a pause a response asked for: nothing is
 * granted before it.
 */

export interface BudgetState {
  /** Epoch ms: the next request may not start before this. */
  tat: number;
  /** Epoch ms: the credential is paused until then (0 = not paused). */
  pausedUntil: number;
}

export const EMPTY_BUDGET: BudgetState = { tat: 0, pausedUntil: 0 };

export interface Grant {
  /** Epoch ms at which the request may start. */
  start: number;
  /** The state to write (if the write loses the race, nothing was granted). */
  next: BudgetState;
}

/**
 * The start granted to a request asking at `now`: the later of the theoretical arrival time, the
 * end of a pause, and `now + leadMs` (time for the grant's own write to land before its start).
 */
export function grant(state: BudgetState, now: number, intervalMs: number, leadMs: number): Grant {
  const start = Math.max(state.tat, state.pausedUntil, now + leadMs);
  return { start, next: { tat: start + intervalMs, pausedUntil: state.pausedUntil } };
}

/** The state after a pause until `untilMs`: no grant before it, and none of the old grants moved. */
export function pause(state: BudgetState, untilMs: number): BudgetState {
  return { tat: Math.max(state.tat, untilMs), pausedUntil: Math.max(state.pausedUntil, untilMs) };
}

/**
 * The per-process rate when the store cannot be reached: the credential's rate divided by the most
 * processes assumed to use it at once, so that all of them together stay within the limit.
 */
export function fallbackRate(requestsPerSecond: number, processes: number): number {
  return requestsPerSecond / Math.max(1, processes);
}
