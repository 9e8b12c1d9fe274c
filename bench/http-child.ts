/**
 * The child side of bench/http-load.ts's IPC, for every process a `npm run bench:http` section starts (a
 * server, a worker): `"window-start"` / `"window-stop"` answer with the process's own CPU time
 * (process.cpuUsage) and its answers over the window, `"calls"` with the handler calls by JobId, and `"stop"`
 * closes what the process runs, then exits.
 */

/** What a bench process counts, and how it stops. */
export interface ChildParts {
  /** Handler calls by JobId. */
  calls: ReadonlyMap<string, number>;
  /** Answers written so far (a worker, which writes none, gives 0). */
  answers: () => number;
  /** Closes what the process runs. */
  close: () => Promise<unknown>;
}

/** Answers the parent's messages for `parts`. */
export function answerParent(parts: ChildParts): void {
  let window = { cpu: process.cpuUsage(), answers: 0 };
  process.on("message", (message) => {
    if (message === "window-start") {
      window = { cpu: process.cpuUsage(), answers: parts.answers() };
      process.send?.({});
    }
    if (message === "window-stop") {
      const cpu = process.cpuUsage(window.cpu);
      process.send?.({ cpuUs: cpu.user + cpu.system, answers: parts.answers() - window.answers });
    }
    if (message === "calls") process.send?.({ calls: [...parts.calls] });
    if (message === "stop") void parts.close().then(() => process.exit(0));
  });
}

/** Counts one handler call of `jobId` in `calls`. */
export function countCall(calls: Map<string, number>, jobId: string): void {
  calls.set(jobId, (calls.get(jobId) ?? 0) + 1);
}
