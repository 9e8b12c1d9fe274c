/**
 * generated/samples.ts: a realistic sample callback for every job Tag, workflow event and moderation event
 * (Detail, and Simple where the event has one), built from
 * the schema alone: each leaf takes its first `examples` value (taken from CI's reference callbacks), its
 * `const`, or its first `enum` value; a leaf with none of them is left out rather than made up; a list
 * gets one item. Each sample's identifying node (a job's JobId, a workflow's RunId, a Simple body's trace_id)
 * is its own, derived from the sample's name (see {@link ownId}), so that two samples are never one event to
 * a listener's dedup. The samples are typed each as its own event (`ExampleCallbackMap`), so tsc checks them
 * against the generated types too.
 */
import { createHash } from "node:crypto";
import { format } from "prettier";
import { banner } from "./banner";
import type { Field, Shape } from "./schema-set";

type Json = Record<string, unknown>;

/** Prints generated/samples.ts from the shapes of the callback schema. */
export async function generateSamples(shapes: Shape[], from: string): Promise<string> {
  const byTitle = new Map(shapes.map((s) => [s.title, s]));
  const object = (title: string, depth: number): Json | undefined => {
    const shape = byTitle.get(title);
    if (shape?.kind !== "object" || depth > 16) return undefined;
    const out: Json = {};
    for (const field of shape.fields) {
      const value = sampleField(field, depth);
      if (value !== undefined) out[field.key] = value;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const sampleField = (field: Field, depth: number): unknown => {
    switch (field.kind) {
      case "text":
      case "number":
      case "map":
        return leafValue(field);
      case "numberList":
      case "textList": {
        const value = leafValue(field);
        return value === undefined ? undefined : [value];
      }
      case "container":
        return target(field.target ?? "", depth);
      case "containerList": {
        const item = target(field.target ?? "", depth);
        return item === undefined ? undefined : [item];
      }
    }
  };
  // Containers only: a union below a job (none today) would need a chosen variant.
  const target = (title: string, depth: number) => object(title, depth + 1);

  const callbacks = byTitle.get("CiCallback");
  const jobs = byTitle.get("Job");
  if (callbacks?.kind !== "union" || jobs?.kind !== "union") throw new Error("samples: no CiCallback or Job union");
  const samples: Json = {};
  const types: string[] = [];
  for (const variant of jobs.variants) {
    samples[variant.value] = withOwnId({ EventName: "TaskFinish", JobsDetail: [object(variant.target, 0)] }, variant.value);
    types.push(`${variant.value}: TaskFinishSample<${variant.target}>`);
  }
  // Every other event (WorkflowFinish, WorkflowStart): its own body, built from its schema.
  const events = callbacks.variants.filter((v) => v.value !== "TaskFinish");
  if (events.length === 0) throw new Error("samples: no event besides TaskFinish");
  for (const event of events) {
    samples[event.value] = withOwnId(object(event.target, 0), event.value);
    types.push(`${event.value}: ${event.target}`);
  }
  // Moderation: the Detail body of each event, and the Simple body of those that have one.
  const detail = byTitle.get("ModerationDetailCallback");
  const simple = byTitle.get("ModerationSimpleData");
  if (detail?.kind !== "union" || simple?.kind !== "union") throw new Error("samples: no moderation unions");
  for (const variant of detail.variants) {
    samples[variant.value] = withOwnId(object(variant.target, 0), variant.value);
    types.push(`${variant.value}: ${variant.target}`);
  }
  const simpleSamples: Json = {};
  const simpleTypes: string[] = [];
  for (const variant of simple.variants) {
    const sample = { code: 0, message: "success", data: { event: variant.value, ...object(variant.target, 0) } };
    simpleSamples[variant.value] = withOwnId(sample, `${variant.value}:Simple`);
    simpleTypes.push(`${variant.value}: SimpleSample<${variant.target}>`);
  }
  const imported = [...jobs.variants, ...events, ...detail.variants, ...simple.variants].map((v) => v.target);
  const code =
    banner(from) +
    `import type { ${["Job", "ModerationSimpleCallback", "ModerationSimpleData", "TaskFinishCallback", ...imported].join(", ")} } from "./types";\n\n` +
    `/** The sample of a job type: a TaskFinish callback with one job, a \`J\`. */\n` +
    `export type TaskFinishSample<J extends Job> = Omit<TaskFinishCallback, "JobsDetail"> & { JobsDetail: [J] };\n\n` +
    `/** The Simple sample of a moderation event: a Simple callback whose data is a \`D\`. */\n` +
    `export type SimpleSample<D extends ModerationSimpleData> = Omit<ModerationSimpleCallback, "data"> & { data: D };\n\n` +
    `/** The type of each sample, by name: every job Tag, workflow event and moderation event (its Detail body). */\n` +
    `export interface ExampleCallbackMap { ${types.join("; ")} }\n\n` +
    `/** The type of the Simple sample of each moderation event that has a Simple version. */\n` +
    `export interface SimpleExampleCallbackMap { ${simpleTypes.join("; ")} }\n\n` +
    `/** The name of a sample: a job Tag, a workflow event (\`WorkflowFinish\`, \`WorkflowStart\`) or a moderation event. */\n` +
    `export type ExampleName = keyof ExampleCallbackMap;\n\n` +
    `/** The name of a moderation event that has a Simple sample. */\n` +
    `export type SimpleExampleName = keyof SimpleExampleCallbackMap;\n\n` +
    `/** A realistic, valid callback for every job Tag, workflow event and moderation event (Detail), in canonical form. */\n` +
    `export const samples: { readonly [N in ExampleName]: ExampleCallbackMap[N] } = ${JSON.stringify(samples)};\n\n` +
    `/** The Simple version of each moderation event that has one. */\n` +
    `export const simpleSamples: { readonly [N in SimpleExampleName]: SimpleExampleCallbackMap[N] } = ${JSON.stringify(simpleSamples)};\n`;
  return format(code, { parser: "typescript", printWidth: 120 });
}

/**
 * The sample with its identifying node, the one a listener's dedup key is made of (JobsDetail[0].JobId,
 * WorkflowExecution.RunId, a moderation JobsDetail.JobId, data.trace_id), made its own.
 */
function withOwnId(sample: Json | undefined, seed: string): Json {
  const jobs = sample?.JobsDetail;
  const [node, key] = (
    sample?.WorkflowExecution !== undefined
      ? [sample.WorkflowExecution, "RunId"]
      : jobs !== undefined
        ? [Array.isArray(jobs) ? jobs[0] : jobs, "JobId"]
        : [sample?.data, "trace_id"]
  ) as [Json | undefined, string];
  const example = node?.[key];
  if (sample === undefined || node === undefined || typeof example !== "string") throw new Error(`samples: ${seed} has no example ${key}`);
  node[key] = ownId(example, seed);
  return sample;
}

/**
 * An id shaped like the schema's example (its kind prefix, `j` for a media job, `i` for a workflow run, and its
 * length), the rest hex of the SHA-256 of `seed`: realistic, the same on every run, and its own per sample.
 */
function ownId(example: string, seed: string): string {
  const prefix = /^[g-z]*/.exec(example)?.[0] ?? "";
  const hex = createHash("sha256").update(seed).digest("hex");
  return prefix + hex.slice(0, Math.max(example.length - prefix.length, 16));
}

/** A leaf's sample value: its own example, else its const, else its first enum value (text, a number or a map). */
function leafValue(field: Field): unknown {
  const leaf = field.leaf;
  const value = field.examples?.[0] ?? leaf?.examples?.[0] ?? leaf?.const ?? leaf?.enum?.[0];
  const wanted = field.kind === "text" || field.kind === "textList" ? "string" : field.kind === "map" ? "object" : "number";
  return typeof value === wanted ? value : undefined;
}
