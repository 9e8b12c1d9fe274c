/**
 * How long a dedup mark lives. BullMQ sets the mark (its deduplication key, worth one job id) when the job is
 * added, with a time-to-live, and keeps it when the job finishes; the job itself is removed once handled.
 * The mark's time-to-live is `keepHandledMs` and a grace: a job handled within the grace of being added
 * leaves a mark that lasts at least `keepHandledMs` after it was handled, with no write by the worker; a
 * job handled later (it waited, or failed and was re-queued) has its mark set again by the worker.
 */

const HOUR_MS = 60 * 60 * 1000;

/** The grace of a `keepHandledMs`: as long, up to an hour. */
export function markGraceMs(keepHandledMs: number): number {
  return Math.min(keepHandledMs, HOUR_MS);
}

/** The time-to-live a mark is added with. */
export function markTtlMs(keepHandledMs: number): number {
  return keepHandledMs + markGraceMs(keepHandledMs);
}

/** The `keepHandledMs` a mark's time-to-live was made from (the inverse of {@link markTtlMs}). */
export function keepHandledMsOfMarkTtl(ttlMs: number): number {
  return ttlMs >= 2 * HOUR_MS ? ttlMs - HOUR_MS : Math.floor(ttlMs / 2);
}
