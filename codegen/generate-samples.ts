/**
 * generated/samples.ts: a realistic sample callback for every job Tag, WorkflowFinish and moderation event
 * (Detail, and Simple where the event has one), built from
 * the schema alone: each leaf takes its first `examples` value (taken from CI's reference callbacks), its
 * `const`, or its first `enum` value; a leaf with none of them is left out rather than made up; a list
 * gets one item. The samples are typed, so tsc checks them against the generated types too.
 */
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
  for (const variant of jobs.variants) {
    samples[variant.value] = { EventName: "TaskFinish", JobsDetail: [object(variant.target, 0)] };
  }
  const workflow = callbacks.variants.find((v) => v.value === "WorkflowFinish");
  if (workflow) samples.WorkflowFinish = object(workflow.target, 0);
  // Moderation: the Detail body of each event, and the Simple body of those that have one.
  const detail = byTitle.get("ModerationDetailCallback");
  const simple = byTitle.get("ModerationSimpleData");
  if (detail?.kind !== "union" || simple?.kind !== "union") throw new Error("samples: no moderation unions");
  for (const variant of detail.variants) samples[variant.value] = object(variant.target, 0);
  const simpleSamples: Json = {};
  for (const variant of simple.variants) {
    simpleSamples[variant.value] = { code: 0, message: "success", data: { event: variant.value, ...object(variant.target, 0) } };
  }
  const code =
    banner(from) +
    `import type { AnyCallback, ModerationSimpleCallback } from "./types";\n\n` +
    `/** A realistic, valid callback for every job Tag, WorkflowFinish and moderation event (Detail), in canonical form. */\n` +
    `export const samples: Readonly<Record<string, AnyCallback>> = ${JSON.stringify(samples)};\n\n` +
    `/** The Simple version of each moderation event that has one. */\n` +
    `export const simpleSamples: Readonly<Record<string, ModerationSimpleCallback>> = ${JSON.stringify(simpleSamples)};\n`;
  return format(code, { parser: "typescript", printWidth: 120 });
}

/** A leaf's sample value: its own example, else its const, else its first enum value (text, a number or a map). */
function leafValue(field: Field): unknown {
  const leaf = field.leaf;
  const value = field.examples?.[0] ?? leaf?.examples?.[0] ?? leaf?.const ?? leaf?.enum?.[0];
  const wanted = field.kind === "text" || field.kind === "textList" ? "string" : field.kind === "map" ? "object" : "number";
  return typeof value === wanted ? value : undefined;
}
