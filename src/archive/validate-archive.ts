/**
 * `validate` over an archive of any size: batches are listed as they are needed, at most `maxInFlight` of
 * them handed out and not yet printed, and their text printed in the order of the arguments. So memory holds
 * a bounded number of batches, never the list of files or the results.
 */
import { availableParallelism } from "node:os";
import { batches, type BatchOptions } from "./batches";
import { inProcessRunner, poolRunner, type Runner } from "./pool";
import type { Task, TaskResult } from "./task";

/**
 * Threads a run starts at most, per core: past a few per core threads only wait for a core, while each adds its
 * own heap and its batches in flight (1,024 threads on 2 cores reached 7.6 GB).
 */
export const WORKERS_PER_CORE = 4;

/** The most threads a run starts on this machine: {@link WORKERS_PER_CORE} per core. */
export function maxWorkers(): number {
  return WORKERS_PER_CORE * availableParallelism();
}

/** How a run goes. */
export interface ArchiveOptions extends BatchOptions {
  /**
   * Threads to check on; 1 checks on the main thread. Default: the machine's cores, once there is more than one
   * batch. At most {@link maxWorkers}: a larger number is lowered to it.
   */
  workers?: number;
  /** Batches handed out and not yet printed, at most. Default: 4 per worker. */
  maxInFlight?: number;
  /** Prints a batch's text; a promise holds back the next batches until it settles (a full pipe). */
  write(result: TaskResult): void | Promise<void>;
}

/** How far a run is, updated as batches are printed. */
export interface ArchiveProgress {
  /** Files done (an NDJSON file once all its lines are). */
  files: number;
  /** Files the arguments name, once all have been listed. */
  listed: number | undefined;
  /** The share done of the NDJSON file under way, from 0 to 1. */
  partial: number;
  valid: number;
  invalid: number;
  unreadable: number;
  /** Threads checking (1: the main thread). */
  threads: number;
  /** The most batches handed out and not yet printed at any one time. */
  peakInFlight: number;
}

/** Checks every body the arguments name; resolves once all are printed. `progress` is updated as it goes. */
export async function validateArchive(args: readonly string[], options: ArchiveOptions, progress: ArchiveProgress = newProgress()): Promise<ArchiveProgress> {
  const workers = Math.min(options.workers ?? availableParallelism(), maxWorkers());
  const maxInFlight = options.maxInFlight ?? 4 * workers;
  let runner: Runner | undefined;
  let handed = 0;
  let printed = 0;
  const done = new Map<number, { task: Task; result: TaskResult }>();
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let writing: Promise<void> = Promise.resolve();

  const print = (task: Task, result: TaskResult): void => {
    progress.valid += result.valid;
    progress.invalid += result.invalid;
    progress.unreadable += result.unreadable;
    progress.files += result.files;
    if (task.kind === "lines") progress.partial = task.last ? 0 : task.end / Math.max(task.size, 1);
    const written = options.write(result);
    if (written !== undefined) writing = writing.then(() => written);
  };
  const settle = (): void => {
    for (let next = done.get(printed); next !== undefined; next = done.get(printed)) {
      done.delete(printed++);
      print(next.task, next.result);
    }
    wake?.();
  };
  const room = async (): Promise<void> => {
    while (handed - printed >= maxInFlight && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
    await writing;
  };

  let first: Task | undefined;
  try {
    for await (const task of batches(args, { strict: options.strict, json: options.json }, (listed) => (progress.listed = listed))) {
      // The default starts threads only once there is a second batch: a few files are checked before a pool would start.
      if (runner === undefined) {
        if (options.workers === undefined && first === undefined && workers > 1) {
          first = task;
          continue;
        }
        runner = workers > 1 ? poolRunner(workers) : inProcessRunner();
        progress.threads = runner.threads;
        if (first !== undefined) hand(runner, first);
      }
      await room();
      if (failure !== undefined) break;
      hand(runner, task);
    }
    if (runner === undefined && first !== undefined) hand((runner = inProcessRunner()), first);
    while (printed < handed && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
    await writing;
  } finally {
    await runner?.close();
  }
  if (failure !== undefined) throw failure.error;
  return progress;

  function hand(to: Runner, task: Task): void {
    const seq = handed++;
    progress.peakInFlight = Math.max(progress.peakInFlight, handed - printed);
    to.run(task).then(
      (result) => {
        done.set(seq, { task, result });
        settle();
      },
      (error: unknown) => {
        failure ??= { error };
        wake?.();
      },
    );
  }
}

/** Progress before anything is done. */
export function newProgress(): ArchiveProgress {
  return { files: 0, listed: undefined, partial: 0, valid: 0, invalid: 0, unreadable: 0, threads: 1, peakInFlight: 0 };
}
