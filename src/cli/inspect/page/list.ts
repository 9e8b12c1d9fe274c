/**
 * The list of requests, newest first: one row of short texts per summary, added in one go per animation frame
 * however fast they arrive, rows past the kept count dropped, and filtered by event, Tag and validity.
 */
import type { CallbackSummary } from "../wire.js";
import { el } from "./dom.js";

/** What the filters ask for; "" is any. */
export interface Filter {
  event: string;
  tag: string;
  validity: "" | "valid" | "invalid";
}

/** Rows made in one frame at most. */
const ROWS_PER_FRAME = 100;

interface Row {
  summary: CallbackSummary;
  row: HTMLTableRowElement;
}

/** The rows, and the filter's choices (the events and Tags seen). */
export class CallbackList {
  /** Most rows kept; the server says how many it keeps. */
  keep = 500;
  private readonly rows = new Map<number, Row>();
  private queue: CallbackSummary[] = [];
  private scheduled = false;
  private filter: Filter = { event: "", tag: "", validity: "" };
  private selected: number | undefined;
  private newest = 0;
  private readonly events = new Set<string>();
  private readonly tags = new Set<string>();

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly choices: { event: HTMLSelectElement; tag: HTMLSelectElement; count: HTMLElement; empty: HTMLElement },
    private readonly onSelect: (summary: CallbackSummary) => void,
  ) {
    body.addEventListener("click", (event) => this.selectRow(event.target));
    body.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.selectRow(event.target);
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const row = (event.target as HTMLElement).closest("tr");
        let next = event.key === "ArrowDown" ? row?.nextElementSibling : row?.previousElementSibling;
        while (next instanceof HTMLTableRowElement && next.hidden) next = event.key === "ArrowDown" ? next.nextElementSibling : next.previousElementSibling;
        if (next instanceof HTMLTableRowElement) {
          next.focus();
          this.selectRow(next);
        }
      }
    });
  }

  /** Queues a summary; the rows are made at the next frame. A lower id than one seen means a new listener: start over. */
  add(summary: CallbackSummary): void {
    if (summary.id <= this.newest) this.clear();
    this.newest = summary.id;
    this.queue.push(summary);
    if (this.queue.length > this.keep) this.queue.splice(0, this.queue.length - this.keep);
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => this.flush());
    }
  }

  /** Shows only the rows that match. */
  setFilter(filter: Filter): void {
    this.filter = filter;
    for (const { summary, row } of this.rows.values()) row.hidden = !this.matches(summary);
    this.count();
  }

  private clear(): void {
    this.rows.clear();
    this.queue = [];
    this.body.replaceChildren();
    this.selected = undefined;
  }

  /** Adds the oldest queued rows, at most {@link ROWS_PER_FRAME}, on top: a burst of 500 spreads over frames. */
  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, ROWS_PER_FRAME);
    // Kept oldest first, so that the rows past `keep` are the oldest (the Map's order is its insertion order).
    const made = batch.map((summary) => {
      const row = this.row(summary);
      this.rows.set(summary.id, { summary, row });
      return row;
    });
    const fragment = document.createDocumentFragment();
    // Shown newest first: the last of the batch goes on top.
    for (let i = batch.length - 1; i >= 0; i--) {
      fragment.append(made[i]);
      this.remember(batch[i]);
    }
    this.body.prepend(fragment);
    if (this.queue.length > 0) {
      this.scheduled = true;
      requestAnimationFrame(() => this.flush());
    }
    // A Map iterates in insertion order: the oldest rows first.
    for (const [id, { row }] of this.rows) {
      if (this.rows.size <= this.keep) break;
      row.remove();
      this.rows.delete(id);
    }
    this.count();
  }

  private row(summary: CallbackSummary): HTMLTableRowElement {
    const time = new Date(summary.time);
    const row = el(
      "tr",
      summary.valid ? "valid" : "invalid",
      el("td", "time", clock(time)),
      el("td", `status status-${String(summary.status)[0]}xx`, String(summary.status)),
      el("td", "event", summary.event ?? (summary.valid ? "" : summary.outcome)),
      el("td", "tag", summary.tags.join(", ")),
      el("td", "ids", summary.ids.join(", ")),
      el("td", "state", summary.states.join(", ")),
    );
    row.tabIndex = 0;
    row.dataset.id = String(summary.id);
    row.hidden = !this.matches(summary);
    if (summary.id === this.selected) row.classList.add("selected");
    return row;
  }

  /** Adds the event and Tags to the filters' choices. */
  private remember(summary: CallbackSummary): void {
    if (summary.event !== null && !this.events.has(summary.event)) {
      this.events.add(summary.event);
      addChoice(this.choices.event, summary.event);
    }
    for (const tag of summary.tags) {
      if (this.tags.has(tag)) continue;
      this.tags.add(tag);
      addChoice(this.choices.tag, tag);
    }
  }

  private matches(summary: CallbackSummary): boolean {
    const { event, tag, validity } = this.filter;
    if (event !== "" && summary.event !== event) return false;
    if (tag !== "" && !summary.tags.includes(tag)) return false;
    return validity === "" || summary.valid === (validity === "valid");
  }

  private count(): void {
    let shown = 0;
    for (const { row } of this.rows.values()) if (!row.hidden) shown++;
    this.choices.count.textContent = `${shown} shown of ${this.rows.size} kept (at most ${this.keep})`;
    this.choices.empty.hidden = this.rows.size > 0;
  }

  private selectRow(target: EventTarget | null): void {
    const row = target instanceof Element ? target.closest("tr") : null;
    const id = Number(row?.dataset.id);
    const found = this.rows.get(id);
    if (found === undefined) return;
    if (this.selected !== undefined) this.rows.get(this.selected)?.row.classList.remove("selected");
    this.selected = id;
    found.row.classList.add("selected");
    this.onSelect(found.summary);
  }
}

/** Adds an option to a select, in sorted place. */
function addChoice(select: HTMLSelectElement, value: string): void {
  const option = el("option", "", value);
  option.value = value;
  const after = Array.from(select.options).find((o) => o.value !== "" && o.value.localeCompare(value) > 0);
  select.insertBefore(option, after ?? null);
}

/** HH:MM:SS.mmm, local time. */
function clock(time: Date): string {
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}.${String(time.getMilliseconds()).padStart(3, "0")}`;
}
