/** A validation thread: runs the batches the main thread hands it (src/archive/pool.ts) and posts their text back. */
import { parentPort } from "node:worker_threads";
import { runTask, type Task, type TaskResult } from "./task";

/** A batch handed to a thread. */
export interface WorkerRequest {
  id: number;
  task: Task;
}

/** A batch's outcome: its text, or why the thread could not run it. */
export type WorkerReply = { id: number; result: TaskResult; error?: undefined } | { id: number; result?: undefined; error: string };

parentPort?.on("message", ({ id, task }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id, result: runTask(task) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
