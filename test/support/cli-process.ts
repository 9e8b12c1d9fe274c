/** The built CLI run by a test: to completion, or `listen` running while the test waits for its lines. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { cliPath } from "./built";
import { repoRoot } from "./examples";

/** A running `ci-callback listen` whose output lines the test can wait for. */
export class ListenProcess {
  readonly lines: string[] = [];
  private waiters: { pattern: RegExp; from: number; resolve: (line: string) => void }[] = [];
  private partial = "";

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      const parts = (this.partial + text).split("\n");
      this.partial = parts.pop() ?? "";
      this.lines.push(...parts);
      this.check();
    });
  }

  /** The first line at or after `from` that matches. */
  line(pattern: RegExp, from = 0): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.push({ pattern, from, resolve });
      this.check();
    });
  }

  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      this.child.once("exit", (code) => resolve(code));
      this.child.kill("SIGTERM");
    });
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      const found = this.lines.slice(w.from).find((l) => w.pattern.test(l));
      if (found !== undefined) w.resolve(found);
      return found === undefined;
    });
  }
}

/** Starts `listen --port 0 ARGS…`; `url` is a callback URL on it. */
export async function startListen(...args: string[]): Promise<{ process: ListenProcess; url: string; inspector: string | undefined }> {
  const child = spawn(process.execPath, [cliPath, "listen", "--port", "0", ...args], { cwd: repoRoot });
  const listen = new ListenProcess(child);
  const line = await listen.line(/^listening on /);
  const origin = /http:\/\/[\d.]+:\d+/.exec(line)?.[0];
  const inspector = args.includes("--inspect") ? /http:\/\/127\.0\.0\.1:\d+/.exec(await listen.line(/^inspector on /))?.[0] : undefined;
  return { process: listen, url: `${origin}/ci/callback`, inspector };
}

/**
 * Runs the built CLI to completion, `input` on its stdin. Not spawnSync:
 * the forward targets these tests serve run in this process and must answer meanwhile.
 */
export function runCli(args: string[], input?: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

