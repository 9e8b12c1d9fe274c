/**
 * Where batches run: on worker threads (piscina), or on the main thread for `--workers 1` and for runs too
 * small to be worth starting threads for.
 */
import { join } from "node:path";
import { Piscina } from "piscina";
import { runTask, type Task, type TaskResult } from "./task";

/** Runs batches. */
export interface Runner {
  /** Threads the batches run on (1: the main thread). */
  readonly threads: number;
  run(task: Task): Promise<TaskResult>;
  close(): Promise<void>;
}

/** The main thread: each batch runs when handed over. */
export function inProcessRunner(): Runner {
  return {
    threads: 1,
    run: (task) => Promise.resolve(runTask(task)),
    close: () => Promise.resolve(),
  };
}

/** `workers` threads; an NDJSON batch's bytes are moved to the worker, not copied. */
export function poolRunner(workers: number): Runner {
  // worker.js sits beside this file in dist/, where the package runs from.
  const pool = new Piscina<Task, TaskResult>({
    filename: join(__dirname, "worker.js"),
    minThreads: workers,
    maxThreads: workers,
    // A second batch waits in each worker's port, so that it starts as soon as the first is done.
    concurrentTasksPerWorker: 2,
  });
  return {
    threads: workers,
    run: (task) => pool.run(task, task.kind === "lines" ? { transferList: [task.bytes.buffer as ArrayBuffer] } : {}),
    close: () => pool.destroy(),
  };
}
