// Every node the schema calls a list, found by walking schema/ through every job type and the workflow
// event, is an array with one item and with many, from XML and from JSON that sends a bare object.
import { join } from "node:path";
import { expect } from "chai";
import { type SchemaNode, SchemaSet } from "../codegen/schema-set";
import { isKnownCallback, type AnyCallback, parseCallback } from "../src";
import { repoRoot } from "./support/examples";
import { toXml } from "./support/xml-writer";

interface ListNode {
  /** Which event and, for a job, which Tag the list sits in. */
  event: "TaskFinish" | "WorkflowFinish";
  tag?: string;
  /** Keys from the job (a JobsDetail item) or the WorkflowExecution down to the list. */
  path: string[];
  itemIsContainer: boolean;
  /** The schema of a text list's items. */
  leaf?: SchemaNode;
}

/** Every list node of every job type and of the workflow event, each container's lists once. */
function listNodes(): ListNode[] {
  const shapes = new SchemaSet(join(repoRoot, "schema")).shapes("callback.schema.json");
  const byTitle = new Map(shapes.map((s) => [s.title, s]));
  const jobUnion = byTitle.get("Job");
  if (jobUnion?.kind !== "union") throw new Error("the schema has no Job union");
  const starts = [
    ...jobUnion.variants.map((v) => ({ event: "TaskFinish" as const, tag: v.value, title: v.target })),
    { event: "WorkflowFinish" as const, tag: undefined, title: "WorkflowExecution" },
  ];
  const found: ListNode[] = [];
  const covered = new Set<string>();
  for (const { event, tag, title } of starts) {
    const queue: { title: string; path: string[] }[] = [{ title, path: [] }];
    for (let next = queue.shift(); next; next = queue.shift()) {
      const shape = byTitle.get(next.title);
      if (shape?.kind !== "object") continue;
      for (const field of shape.fields) {
        const path = [...next.path, field.key];
        const id = `${shape.title}.${field.key}`;
        if ((field.kind === "textList" || field.kind === "containerList") && !covered.has(id)) {
          covered.add(id);
          found.push({ event, tag, path, itemIsContainer: field.kind === "containerList", leaf: field.leaf });
        }
        if (field.target && path.length < 12) queue.push({ title: field.target, path });
      }
    }
  }
  return found;
}

/** A valid text for a leaf: one of its enum values, a number for a decimal, or any text. */
function textValue(leaf: SchemaNode | undefined, n: number): string {
  if (leaf?.enum) return String(leaf.enum[(n - 1) % leaf.enum.length]);
  return leaf?.pattern ? String(n) : `v${n}`;
}

/** A valid callback with `leaf` set at `path` below its job or WorkflowExecution; `listsAsArrays` picks the JSON style. */
function callbackWith(node: ListNode, leaf: unknown, listsAsArrays: boolean): Record<string, unknown> {
  const base: Record<string, unknown> =
    node.event === "TaskFinish"
      ? { JobId: "j1", Tag: node.tag, State: "Success", Operation: { Probe: "p" } }
      : { RunId: "i1", State: "Success" };
  let at = base;
  for (const key of node.path.slice(0, -1)) at = (at[key] = { ...(at[key] as object) }) as Record<string, unknown>;
  at[node.path[node.path.length - 1]] = leaf;
  return node.event === "TaskFinish"
    ? { EventName: "TaskFinish", JobsDetail: listsAsArrays ? [base] : base }
    : { EventName: "WorkflowFinish", WorkflowExecution: base };
}

/** The value at the node's path in a parsed callback. */
function valueAt(callback: AnyCallback, node: ListNode): unknown {
  if (!isKnownCallback(callback) || (callback.EventName !== "TaskFinish" && callback.EventName !== "WorkflowFinish")) {
    return expect.fail("not a media callback");
  }
  const start = callback.EventName === "TaskFinish" ? callback.JobsDetail[0] : callback.WorkflowExecution;
  // A list on the way holds the one item callbackWith built.
  const step = (at: unknown, key: string): unknown => (Array.isArray(at) ? step(at[0], key) : (at as Record<string, unknown> | undefined)?.[key]);
  return node.path.reduce<unknown>(step, start);
}

describe("every list node of the schema", () => {
  const nodes = listNodes();

  it("is found by walking the schema", () => {
    expect(nodes.map((n) => n.path.join("/"))).to.include.members([
      "Input/CosHeaders",
      "Operation/MediaInfo/Stream/Video",
      "Operation/MediaResult/OutputFile/ObjectName",
      "Tasks",
    ]);
  });

  for (const node of nodes) {
    // An item the schema does not know inside a container item keeps the test independent of leaf formats.
    const item = (n: number) => (node.itemIsContainer ? { Probe: `p${n}` } : textValue(node.leaf, n));
    const where = `${node.tag ?? node.event}: ${node.path.join("/")}`;

    it(`${where} is an array with 1 and with 3 items, from XML and JSON`, () => {
      for (const items of [[item(1)], [item(1), item(2), item(3)]]) {
        const fromXml = parseCallback(toXml("Response", callbackWith(node, items, false)));
        const fromJson = parseCallback(JSON.stringify(callbackWith(node, items, true)));
        expect(valueAt(fromXml, node)).to.deep.equal(items);
        expect(fromJson).to.deep.equal(fromXml);
      }
      const bare = parseCallback(JSON.stringify(callbackWith(node, item(1), false)));
      expect(valueAt(bare, node)).to.deep.equal([item(1)]);
    });
  }
});
