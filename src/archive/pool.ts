/**
 * Where batches run: on worker threads (node's worker_threads), or on the main thread for `--workers 1` and for
 * runs too small to be worth starting threads for. Each thread holds up to two batches, so that the second
 * starts as soon as the first is done; a batch goes to the thread with the fewest.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { runTask, type Task, type TaskResult } from "./task";
import type { WorkerReply, WorkerRequest } from "./worker";

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

interface Pending {
  resolve(result: TaskResult): void;
  reject(error: unknown): void;
}

/** One thread and the batches it holds, by id; `lost` once it died. */
interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  lost?: unknown;
}

/** `workers` threads; an NDJSON batch's bytes are moved to the thread, not copied. */
export function poolRunner(workers: number): Runner {
  let nextId = 0;
  let closing = false;
  const threads: Thread[] = Array.from({ length: workers }, () => start());

  function start(): Thread {
    // worker.js sits beside this file in dist/, where the package runs from.
    const thread: Thread = { worker: new Worker(join(__dirname, "worker.js")), pending: new Map() };
    thread.worker.on("message", ({ id, result, error }: WorkerReply) => {
      const pending = thread.pending.get(id);
      thread.pending.delete(id);
      if (error === undefined) pending?.resolve(result);
      else pending?.reject(new Error(`a validation thread failed: ${error}`));
    });
    // A thread that dies takes its batches with it: they fail, and the run stops with the error.
    const fail = (error: unknown): void => {
      thread.lost ??= error;
      for (const pending of thread.pending.values()) pending.reject(error);
      thread.pending.clear();
    };
    thread.worker.on("error", fail);
    thread.worker.on("exit", (code) => {
      if (!closing) fail(new Error(`a validation thread exited with code ${code}`));
    });
    return thread;
  }

  return {
    threads: workers,
    run(task) {
      const thread = threads.reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least));
      if (thread.lost !== undefined) return Promise.reject(thread.lost);
      const id = nextId++;
      return new Promise<TaskResult>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        const request: WorkerRequest = { id, task };
        thread.worker.postMessage(request, task.kind === "lines" ? [task.bytes.buffer as ArrayBuffer] : []);
      });
    },
    async close() {
      closing = true;
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    },
  };
}
