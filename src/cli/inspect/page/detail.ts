/**
 * The detail pane of one request, made when it is selected: what the listener answered, the issues of a
 * refused body (each a button that shows its node), the canonical object (or a refused body's normalised
 * value) as a tree with the issues' nodes marked, the raw body laid out, and Replay and Save.
 */
import type { CallbackDetail, CallbackSummary, ReplayOutcome } from "../wire.js";
import { el } from "./dom.js";
import { pretty } from "./pretty.js";
import { ValueTree } from "./tree.js";

/** Characters of the laid-out body shown before a "show all" button: a 1 MiB body lays out, but need not. */
const BODY_SHOWN = 64 * 1024;
/** Issues marked in the tree as soon as it is shown; the rest are marked when their path is clicked. */
const ISSUES_MARKED_AT_ONCE = 20;

/** Shows requests in `pane`; a selection made while another loads wins. */
export class DetailPane {
  private showing = 0;

  constructor(private readonly pane: HTMLElement) {}

  /** Fetches a request's detail and shows it, unless another was selected meanwhile. */
  async show(summary: CallbackSummary): Promise<void> {
    const ticket = ++this.showing;
    this.pane.replaceChildren(el("p", "loading", `Loading #${summary.id}…`));
    const response = await fetch(`/api/callbacks/${summary.id}`);
    if (ticket !== this.showing) return;
    if (!response.ok) {
      this.pane.replaceChildren(el("p", "gone", `#${summary.id}: ${await response.text()}`));
      return;
    }
    const detail = (await response.json()) as CallbackDetail;
    if (ticket !== this.showing) return;
    this.pane.replaceChildren(...this.render(detail));
    this.pane.dataset.shown = String(summary.id);
  }

  private render(detail: CallbackDetail): HTMLElement[] {
    const { summary } = detail;
    const sections: HTMLElement[] = [this.header(detail)];
    const tree = detail.tree === null ? undefined : new ValueTree(detail.tree, { openDepth: 3, openBudget: 200 });
    if (detail.issues.length > 0) {
      const list = el("ol", "issues");
      for (const [index, issue] of detail.issues.entries()) {
        // The first issues are marked at once; the others when asked for, so that 100 of them open no more than needed.
        let marked = tree !== undefined && index < ISSUES_MARKED_AT_ONCE ? tree.reveal(issue.path, issue.message) : undefined;
        const path = el("button", "issue-path", issue.path === "" ? "/" : issue.path);
        path.type = "button";
        path.title = "show this node in the tree";
        path.addEventListener("click", () => {
          marked ??= tree?.reveal(issue.path, issue.message);
          marked?.scrollIntoView({ block: "center" });
          marked?.classList.remove("flash");
          void marked?.offsetWidth;
          marked?.classList.add("flash");
        });
        list.append(el("li", "", path, " ", el("span", "message", issue.message)));
      }
      sections.push(el("section", "issues-section", el("h3", "", `Issues (${detail.issues.length})`), list));
    }
    const treeTitle = detail.canonical
      ? "Canonical object"
      : tree === undefined
        ? "No tree: the body was not read, or does not read as XML or JSON"
        : "The body as read: the issues' paths point here";
    sections.push(el("section", "tree-section", el("h3", "", treeTitle), ...(tree === undefined ? [] : [tree.element])));
    sections.push(this.body(detail.body, summary));
    sections.push(el("section", "answer-section", el("h3", "", `Answer ${summary.status}`), el("pre", "answer", pretty(detail.answer).text)));
    return sections;
  }

  private header(detail: CallbackDetail): HTMLElement {
    const { summary } = detail;
    const replay = el("button", "replay", "Replay");
    replay.type = "button";
    const result = el("pre", "replay-result");
    result.hidden = true;
    replay.addEventListener("click", () => void this.replay(summary.id, replay, result));
    const actions = el("div", "actions", replay);
    if (detail.body !== null) {
      const save = el("a", "save", "Save body");
      save.href = `/api/callbacks/${summary.id}/body`;
      save.download = `callback-${summary.id}.${summary.format === "xml" || summary.format === "json" ? summary.format : "txt"}`;
      actions.append(save);
    } else replay.disabled = true;
    const facts = `${summary.method} ${summary.path} · answered ${summary.status} · ${summary.outcome} · ${summary.bytes} bytes ${summary.format}`;
    return el("header", "detail-header", el("h2", "", `#${summary.id} ${summary.event ?? ""}`), el("p", "facts", facts), actions, result);
  }

  private body(body: string | null, summary: CallbackSummary): HTMLElement {
    const section = el("section", "body-section", el("h3", "", "Raw body"));
    if (body === null) {
      section.append(el("p", "", "The listener answered before reading a body."));
      return section;
    }
    const first = pretty(body, BODY_SHOWN);
    const pre = el("pre", `body ${summary.format}`, first.text);
    section.append(pre);
    if (!first.whole) {
      const all = el("button", "show-all", `show all of the body's ${summary.bytes} bytes, laid out`);
      all.type = "button";
      all.addEventListener("click", () => {
        pre.textContent = pretty(body).text;
        all.remove();
      });
      section.append(all);
    }
    return section;
  }

  private async replay(id: number, button: HTMLButtonElement, result: HTMLElement): Promise<void> {
    button.disabled = true;
    result.hidden = false;
    result.textContent = "Replaying…";
    try {
      const response = await fetch(`/api/callbacks/${id}/replay`, { method: "POST" });
      if (!response.ok) {
        result.textContent = `Replay refused: ${response.status} ${await response.text()}`;
        return;
      }
      const outcome = (await response.json()) as ReplayOutcome;
      result.textContent =
        outcome.status === null ? `Replay to ${outcome.target} failed: ${outcome.error ?? ""}` : `Replayed to ${outcome.target}: ${outcome.status}\n${outcome.body}`;
      result.dataset.status = String(outcome.status);
    } finally {
      button.disabled = false;
    }
  }
}
