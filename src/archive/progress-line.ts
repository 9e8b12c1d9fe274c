/**
 * The progress line `validate` redraws on a terminal's stderr: files done, callbacks per second, invalid so
 * far, and the time left once every file has been listed. A few lines of our own: the bar is one line of text.
 */
import type { ArchiveProgress } from "./validate-archive";

const REDRAW_MS = 200;

/** Draws `progress` on `stream` now and every 200 ms until stopped; stopping clears the line. */
export function showProgress(stream: NodeJS.WriteStream, progress: ArchiveProgress, started = performance.now()): { clear(): void; stop(): void } {
  const draw = (): void => void stream.write(`\r${progressText(progress, performance.now() - started)}\x1b[K`);
  draw();
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  const clear = (): void => void stream.write("\r\x1b[K");
  return {
    clear,
    stop() {
      clearInterval(timer);
      clear();
    },
  };
}

/** One line of progress, `elapsedMs` into the run. */
export function progressText(progress: ArchiveProgress, elapsedMs: number): string {
  const callbacks = progress.valid + progress.invalid;
  const rate = elapsedMs > 0 ? (callbacks * 1000) / elapsedMs : 0;
  const parts = [
    progress.listed === undefined ? `${progress.files} files` : `${progress.files}/${progress.listed} files`,
    `${callbacks} callbacks`,
    `${Math.round(rate)}/s`,
    `${progress.invalid} invalid`,
  ];
  if (progress.unreadable > 0) parts.push(`${progress.unreadable} unreadable`);
  const share = progress.listed === undefined || progress.listed === 0 ? undefined : (progress.files + progress.partial) / progress.listed;
  parts.push(share === undefined || share === 0 ? "ETA -" : `ETA ${duration(((1 - share) / share) * elapsedMs)}`);
  const width = 24;
  const filled = share === undefined ? 0 : Math.min(width, Math.round(share * width));
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${parts.join("  ")}`;
}

/** `1:05`, `1:02:05`. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  const pad = (n: number): string => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
