/**
 * A JSON value as a collapsible tree (`<details>` per object or array). Children are made when their parent is
 * first opened, and a few levels are open at first within a budget of nodes, so a body with thousands of nodes
 * costs little until it is explored; a list shows its items a hundred at a time.
 */
import { el } from "./dom.js";

/** How much is made at first. */
export interface TreeLimits {
  /** Levels open at first (the root is level 0). */
  openDepth: number;
  /** Most nodes made by opening at first; past it, nodes stay closed. */
  openBudget: number;
}

/** Items of an object or array made at a time. */
const CHUNK = 100;
/** Longest string value shown whole. */
const MAX_TEXT = 2000;

/** One node: a leaf's element, or an object or array with its children once made. */
interface TreeNode {
  element: HTMLElement;
  container?: {
    details: HTMLDetailsElement;
    list: HTMLElement;
    entries: [string, unknown][];
    made: Map<string, TreeNode>;
    depth: number;
  };
}

/** A value's tree; `element` goes in the page. */
export class ValueTree {
  readonly element: HTMLElement;
  private readonly root: TreeNode;
  private budget: number;

  constructor(
    value: unknown,
    private readonly limits: TreeLimits,
  ) {
    this.budget = limits.openBudget;
    this.root = this.node(null, value, 0);
    this.element = el("div", "tree", this.root.element);
  }

  /**
   * Marks the node a JSON Pointer names, opening its ancestors; a node that is missing (a required one)
   * marks its nearest ancestor, naming what is missing. Returns the marked element.
   */
  reveal(pointer: string, message: string): HTMLElement {
    const tokens = pointer === "" ? [] : pointer.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
    let node = this.root;
    for (const [at, token] of tokens.entries()) {
      const child = node.container === undefined ? undefined : this.child(node, token);
      if (child === undefined) return mark(node, `${tokens.slice(at).join("/")}: ${message}`, "issue missing");
      node = child;
    }
    return mark(node, message, "issue");
  }

  /** The child named `token`, made (with those before it) if it was not yet; its parent opened. */
  private child(node: TreeNode, token: string): TreeNode | undefined {
    const container = node.container;
    if (container === undefined) return undefined;
    const index = container.entries.findIndex(([key]) => key === token);
    if (index < 0) return undefined;
    this.makeChildren(node, index + 1);
    container.details.open = true;
    return container.made.get(token);
  }

  private node(key: string | null, value: unknown, depth: number): TreeNode {
    const label = key === null ? [] : [el("span", "key", key), el("span", "punct", ": ")];
    if (typeof value !== "object" || value === null) {
      return { element: el("div", "leaf", ...label, leafValue(value)) };
    }
    const isArray = Array.isArray(value);
    const entries: [string, unknown][] = isArray ? value.map((item, i) => [String(i), item]) : Object.entries(value);
    const preview = isArray ? `[${entries.length} item${entries.length === 1 ? "" : "s"}]` : `{${entries.length} key${entries.length === 1 ? "" : "s"}}`;
    const details = el("details", "branch", el("summary", "", ...label, el("span", "preview", preview)));
    const list = el("div", "children");
    details.append(list);
    const node: TreeNode = { element: details, container: { details, list, entries, made: new Map(), depth } };
    details.addEventListener("toggle", () => {
      if (details.open) this.makeChildren(node, CHUNK);
    });
    if (depth < this.limits.openDepth && this.budget >= Math.min(entries.length, CHUNK)) {
      this.budget -= Math.min(entries.length, CHUNK);
      this.makeChildren(node, CHUNK);
      details.open = true;
    }
    return node;
  }

  /** Makes the children up to `count` (rounded up to a chunk), and a button for the rest. */
  private makeChildren(node: TreeNode, count: number): void {
    const container = node.container;
    if (container === undefined) return;
    const { entries, made, list, depth } = container;
    const until = Math.min(entries.length, Math.ceil(count / CHUNK) * CHUNK);
    if (made.size >= until) return;
    list.querySelector(":scope > .more")?.remove();
    for (let i = made.size; i < until; i++) {
      const [key, value] = entries[i];
      const child = this.node(key, value, depth + 1);
      made.set(key, child);
      list.append(child.element);
    }
    if (until < entries.length) {
      const more = el("button", "more", `show ${Math.min(CHUNK, entries.length - until)} more of ${entries.length - until}`);
      more.type = "button";
      more.addEventListener("click", () => this.makeChildren(node, until + CHUNK));
      list.append(more);
    }
  }
}

function leafValue(value: unknown): HTMLElement {
  if (typeof value === "string") {
    const shown = value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}… (${value.length} characters)` : value;
    return el("span", "value string", JSON.stringify(shown));
  }
  return el("span", `value ${value === null ? "null" : typeof value}`, String(value));
}

/** Highlights a node and adds the message after its label. */
function mark(node: TreeNode, message: string, className: string): HTMLElement {
  const target = node.container === undefined ? node.element : (node.container.details.querySelector(":scope > summary") as HTMLElement);
  target.classList.add(...className.split(" "));
  target.append(el("span", "issue-note", message));
  return target;
}
