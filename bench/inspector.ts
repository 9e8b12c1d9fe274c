/**
 * `npm run bench:inspector`: how the inspector page behaves with 500 kept callbacks and 1 MiB bodies, timed in
 * Chromium by the page's own clock (performance.now): loading the page onto 500 callbacks, 500 arriving live
 * (and the longest task they cost the page), a filter over 500 rows, and selecting a 1 MiB body (valid JSON,
 * valid XML, and invalid JSON whose 100 issues are marked in its tree) until its detail is in the DOM and
 * until the next frame, beside a baseline run just before it in the same page: fetching the same detail and
 * parsing its JSON, with nothing shown (the ratio is what showing it adds). Long tasks are counted per step.
 * Medians of BENCH_INSPECTOR_ROUNDS (default 5) runs. Not a timed test: numbers only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "../test/support/chromium";
import { startListen, type ListenProcess } from "../test/support/cli-process";
import { post } from "../test/support/http";

const rounds = Number(process.env.BENCH_INSPECTOR_ROUNDS ?? 5);
const examples = join(__dirname, "..", "test", "fixtures", "examples", "VideoEnhance");
const seedJson = JSON.parse(readFileSync(join(examples, "seed-3.json"), "utf8")) as { JobsDetail: Record<string, unknown>[] };
const seedXml = readFileSync(join(examples, "seed-2.xml"), "utf8");
const MiB = 1024 * 1024;

/** A TaskFinish JSON body of just under 1 MiB: the seed's job repeated; `state` makes every job invalid. */
function bigJson(state = "Success"): string {
  const job = seedJson.JobsDetail[0];
  const jobs: unknown[] = [];
  let size = 0;
  for (let i = 0; size < MiB - 4096; i++) {
    const next = { ...job, JobId: `j${i}`, State: state };
    size += JSON.stringify(next).length + 1;
    jobs.push(next);
  }
  jobs.pop();
  return JSON.stringify({ ...seedJson, JobsDetail: jobs });
}

/** An XML body of just under 1 MiB: the seed's JobsDetail repeated. */
function bigXml(): string {
  const job = /<JobsDetail>[\s\S]*<\/JobsDetail>/.exec(seedXml)?.[0] ?? "";
  const count = Math.floor((MiB - seedXml.length) / job.length);
  return seedXml.replace(job, Array.from({ length: count }, (_, i) => job.replace(/<JobId>[^<]*</, `<JobId>j${i}<`)).join("\n"));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** POSTs `count` small callbacks, eight at a time. */
async function postMany(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, (_, k) => {
        const body = JSON.stringify({ ...seedJson, JobsDetail: [{ ...seedJson.JobsDetail[0], JobId: `bulk-${i + k}` }] });
        return post(url, body, "application/json");
      }),
    );
  }
}

// The functions below run in the page, so they are written as JavaScript text: this program has Node's types, not the DOM's.

/** The page's clock when #rows has `count` rows (resolves at once if it has). */
function rowsAt(page: Page, count: number): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const rows = document.getElementById("rows");
    if (rows.children.length >= ${count}) return resolve(performance.now());
    new MutationObserver((_, observer) => {
      if (rows.children.length < ${count}) return;
      observer.disconnect();
      resolve(performance.now());
    }).observe(rows, { childList: true });
  })`);
}

/** Clicks row `id` and times, in the page, until its detail is in the DOM and until the frame after. */
function selectTimed(page: Page, id: number): Promise<{ dom: number; frame: number }> {
  return page.evaluate(`new Promise((resolve) => {
    const detail = document.getElementById("detail");
    const started = performance.now();
    new MutationObserver((_, observer) => {
      if (detail.dataset.shown !== "${id}") return;
      observer.disconnect();
      const dom = performance.now() - started;
      requestAnimationFrame(() => setTimeout(() => resolve({ dom, frame: performance.now() - started })));
    }).observe(detail, { attributes: true, attributeFilter: ["data-shown"] });
    document.querySelector('#rows tr[data-id="${id}"]').click();
  })`);
}

/** Times the validity filter set to invalid over the rows, in the page, then sets it back. */
function filterTimed(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const select = document.getElementById("filter-validity");
    const started = performance.now();
    select.value = "invalid";
    select.dispatchEvent(new Event("change"));
    const ms = performance.now() - started;
    select.value = "";
    select.dispatchEvent(new Event("change"));
    return ms;
  })()`);
}

/** Installed before the page's script: the durations of its long tasks. */
const observeLongTasks = `window.longTasks = [];
new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.longTasks.push(entry.duration); }).observe({ type: "longtask", buffered: true });`;

/** The longest task the page ran since the last call (ms), from a long-task observer installed before its script. */
const longest = (page: Page): Promise<number> => page.evaluate("Math.max(0, ...window.longTasks.splice(0))") as Promise<number>;

/** The baseline beside a selection: fetching the same detail and parsing its JSON, nothing shown (ms, page clock). */
function fetchOnly(page: Page, id: number): Promise<number> {
  return page.evaluate(`(async () => {
    const started = performance.now();
    await (await fetch("/api/callbacks/${id}")).json();
    return performance.now() - started;
  })()`);
}

async function main(): Promise<void> {
  const browser = await launchChromium();
  await browser.context.addInitScript({ content: observeLongTasks });
  const results: Record<string, number[]> = {};
  const note = (name: string, value: number): void => void (results[name] ??= []).push(value);
  let listen: ListenProcess | undefined;
  try {
    for (let round = 0; round < rounds; round++) {
      const started = await startListen("--inspect");
      listen = started.process;
      const page = await browser.context.newPage();
      await page.goto(`${started.inspector}/`);
      await page.locator("#connection.live").waitFor();
      // 500 arriving live, the page open.
      await longest(page);
      const sent = Date.now();
      await postMany(started.url, 500);
      const allIn = await rowsAt(page, 500);
      note("500 live: last row in the DOM after the first POST (ms, includes the listener)", allIn - (sent - ((await page.evaluate("performance.timeOrigin")) as number)));
      note("500 live: longest task of the page (ms)", await longest(page));
      // The page opened onto 500 kept.
      await page.reload();
      note("page load onto 500 kept: rows in the DOM (ms since navigation)", await rowsAt(page, 500));
      note("page load onto 500 kept: longest task (ms)", await longest(page));
      note("filter over 500 rows (ms)", await filterTimed(page));
      await longest(page);
      const small = await selectTimed(page, 250);
      note("select a small callback: detail in the DOM (ms)", small.dom);
      // 1 MiB bodies.
      for (const [name, body, type] of [
        ["1 MiB valid JSON", bigJson(), "application/json"],
        ["1 MiB valid XML", bigXml(), "application/xml"],
        ["1 MiB invalid JSON (100 issues)", bigJson("Done"), "application/json"],
      ] as const) {
        const reply = await post(started.url, body, type);
        if (reply.status !== (name.includes("invalid") ? 400 : 200)) throw new Error(`${name}: answered ${reply.status} ${reply.text.slice(0, 200)}`);
        const id = Number(await page.locator("#rows tr").first().getAttribute("data-id"));
        await page.locator(`#rows tr[data-id="${id}"]`).waitFor();
        const baseline = await fetchOnly(page, id);
        await longest(page);
        const timed = await selectTimed(page, id);
        note(`select ${name}: detail in the DOM (ms)`, timed.dom);
        note(`select ${name}: next frame (ms)`, timed.frame);
        note(`select ${name}: longest task (ms)`, await longest(page));
        note(`select ${name}: baseline, fetch + JSON.parse of the same detail (ms)`, baseline);
        note(`select ${name}: next frame ÷ baseline (×)`, timed.frame / baseline);
      }
      await page.close();
      await listen.stop();
      listen = undefined;
    }
  } finally {
    await listen?.stop();
    await browser.close();
  }
  const bodies = { json: Buffer.byteLength(bigJson()), xml: Buffer.byteLength(bigXml()), invalid: Buffer.byteLength(bigJson("Done")) };
  process.stdout.write(`inspector bench: ${rounds} rounds, medians (min-max); 1 MiB bodies: JSON ${bodies.json} B, XML ${bodies.xml} B, invalid ${bodies.invalid} B\n`);
  for (const [name, values] of Object.entries(results)) {
    process.stdout.write(`  ${name}: ${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)})\n`);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
