// Every node the schema calls a list, found by walking schema/, is an array with one item and with many,
// from XML and from JSON that sends a bare object.
import { join } from "node:path";
import { expect } from "chai";
import { SchemaSet } from "../codegen/schema-set";
import { parseCallback } from "../src";
import { repoRoot } from "./support/examples";
import { toXml } from "./support/xml-writer";

interface ListNode {
  /** Keys from the job (a JobsDetail item) down to the list, such as Operation/MediaInfo/Stream/Video. */
  path: string[];
  itemIsContainer: boolean;
}

/** Every list node below a JobsDetail item, each reached by its shortest path. */
function listNodes(): ListNode[] {
  const containers = new SchemaSet(join(repoRoot, "schema")).containers("task-finish.schema.json");
  const byTitle = new Map(containers.map((c) => [c.title, c]));
  const found: ListNode[] = [];
  const queue: { title: string; path: string[] }[] = [{ title: "Job", path: [] }];
  const seen = new Set<string>();
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (seen.has(next.title)) continue;
    seen.add(next.title);
    for (const field of byTitle.get(next.title)?.fields ?? []) {
      const path = [...next.path, field.key];
      if (field.kind === "textList" || field.kind === "containerList") {
        found.push({ path, itemIsContainer: field.kind === "containerList" });
      }
      if (field.target) queue.push({ title: field.target, path });
    }
  }
  return found;
}

/** A valid job with `leaf` set at `path` (containers on the way created). */
function jobWith(path: string[], leaf: unknown): Record<string, unknown> {
  const job: Record<string, unknown> = { JobId: "j1", Tag: "VideoEnhance", State: "Success", Operation: { TemplateId: "t" } };
  let at = job;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]] = leaf;
  return job;
}

function valueAt(job: unknown, path: string[]): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], job);
}

describe("every list node of the schema", () => {
  const nodes = listNodes();

  it("is found by walking the schema", () => {
    expect(nodes.map((n) => n.path.join("/"))).to.include.members([
      "Input/CosHeaders",
      "Operation/MediaInfo/Stream/Video",
      "Operation/MediaResult/OutputFile/ObjectName",
    ]);
  });

  for (const node of nodes) {
    // An item the schema does not know inside a container item keeps the test independent of leaf formats.
    const item = (n: number) => (node.itemIsContainer ? { Probe: `p${n}` } : `v${n}`);

    it(`${node.path.join("/")} is an array with 1 and with 3 items, from XML and JSON`, () => {
      for (const items of [[item(1)], [item(1), item(2), item(3)]]) {
        const job = jobWith(node.path, items);
        const fromXml = parseCallback(toXml("Response", { EventName: "TaskFinish", JobsDetail: job }));
        const fromJson = parseCallback(JSON.stringify({ EventName: "TaskFinish", JobsDetail: [job] }));
        expect(valueAt(fromXml.JobsDetail[0], node.path)).to.deep.equal(items);
        expect(fromJson).to.deep.equal(fromXml);
      }
      const bare = parseCallback(JSON.stringify({ EventName: "TaskFinish", JobsDetail: jobWith(node.path, item(1)) }));
      expect(valueAt(bare.JobsDetail[0], node.path)).to.deep.equal([item(1)]);
    });
  }
});
