/** Sample callbacks for users' own tests, built by codegen from the schema (generated/samples.ts). */
import type {
  ExampleCallbackMap,
  ExampleName,
  SimpleExampleCallbackMap,
  SimpleExampleName,
} from "../../generated/samples";
import type { AnyCallback } from "../../generated/types";
import { knownCiCallbackEventNames, knownJobTags, knownModerationDetailCallbackEventNames } from "../../generated/unions";
import type { BodyFormat } from "../read/body";
import { toXmlBody } from "./xml-writer";

export type { ExampleCallbackMap, ExampleName, SimpleExampleCallbackMap, SimpleExampleName, SimpleSample, TaskFinishSample } from "../../generated/samples";

type GeneratedSamples = typeof import("../../generated/samples");

// Loaded on first use: only users' tests and the CLI need samples, and importing the package should not pay
// for 120 KB of them.
let generated: GeneratedSamples | undefined;
function loadSamples(): GeneratedSamples {
  generated ??= require("../../generated/samples") as GeneratedSamples;
  return generated;
}

/**
 * The names {@link exampleCallback} knows: every job Tag, every workflow event (`WorkflowFinish`,
 * `WorkflowStart`) and every moderation event, in the order codegen writes their samples.
 */
export const exampleNames: readonly ExampleName[] = [
  ...knownJobTags,
  ...[...knownCiCallbackEventNames].filter((name) => name !== "TaskFinish"),
  ...knownModerationDetailCallbackEventNames,
] as ExampleName[];

/** Which version of a moderation callback a sample is: `Detail` (the default) or `Simple`. */
export type ContentVersion = "Detail" | "Simple";

/**
 * The node of a sample that identifies its event, the one a listener's dedup key is made of: the job
 * (`JobsDetail[0]`) of a TaskFinish sample, the `WorkflowExecution` of a workflow's, the `JobsDetail` of a
 * moderation Detail sample, the `data` of a Simple one.
 */
export type ExampleNode<C> = C extends { JobsDetail: [infer J] }
  ? J
  : C extends { WorkflowExecution: infer W }
    ? W
    : C extends { JobsDetail: infer J }
      ? J
      : C extends { data: infer D }
        ? D
        : never;

/**
 * Nodes to set on a sample's identifying node ({@link ExampleNode}): `{ JobId: "j…" }` makes another event of
 * the same job type, `{ State: "Failed", Code: "InternalError" }` a failed one; a node set to `undefined` is
 * removed. Only that node's own children are replaced (a container given here replaces the sample's whole).
 */
export type ExampleSet<C> = Partial<ExampleNode<C>>;

/** Options of {@link exampleCallback} and {@link exampleBody} for the sample of `N` (the Detail one, for moderation). */
export interface ExampleOptions<N extends ExampleName = ExampleName> {
  /** `Detail`, the default (and the only version of media and workflow callbacks). */
  version?: "Detail";
  /** Nodes to set on the sample's job, workflow run or moderation job: see {@link ExampleSet}. */
  set?: ExampleSet<ExampleCallbackMap[N]>;
}

/** Options of {@link exampleCallback} and {@link exampleBody} for the Simple sample of moderation event `N`. */
export interface SimpleExampleOptions<N extends SimpleExampleName = SimpleExampleName> {
  /** The Simple body (image, text, audio and video have one). */
  version: "Simple";
  /** Nodes to set on the sample's `data` (`{ trace_id: "…" }`): see {@link ExampleSet}. */
  set?: ExampleSet<SimpleExampleCallbackMap[N]>;
}

/**
 * A realistic, valid callback for a job Tag (such as `"Transcode"`), a workflow event (`"WorkflowFinish"`,
 * `"WorkflowStart"`) or a moderation event (`"ReviewImage"`, in the version asked for), in canonical form (a fresh copy each call), typed as that event:
 * `exampleCallback("Transcode").JobsDetail[0]` is a `TranscodeJob`. Each sample has its own JobId (RunId,
 * trace_id), the same on every call; `set` makes another event, such as `{ set: { JobId: "j-test-1" } }`.
 * A name held in a `string` gets an {@link AnyCallback}.
 * @throws RangeError for a name that has no sample (see {@link exampleNames}), or no sample of that version.
 */
export function exampleCallback<N extends SimpleExampleName>(name: N, options: SimpleExampleOptions<N>): SimpleExampleCallbackMap[N];
export function exampleCallback<N extends ExampleName>(name: N, options?: ExampleOptions<N>): ExampleCallbackMap[N];
export function exampleCallback<S extends string>(name: NotALiteral<S>, options?: ExampleOptions | SimpleExampleOptions): AnyCallback;
export function exampleCallback(name: string, options: ExampleOptions | SimpleExampleOptions = {}): AnyCallback {
  const simple = options.version === "Simple";
  const { samples, simpleSamples } = loadSamples();
  const from: Readonly<Record<string, AnyCallback>> = simple ? simpleSamples : samples;
  const sample = Object.hasOwn(from, name) ? from[name] : undefined;
  if (!sample) {
    const known = simple ? Object.keys(simpleSamples) : exampleNames;
    throw new RangeError(`no ${simple ? "Simple " : ""}sample named ${name}; known: ${known.join(", ")}`);
  }
  const callback = structuredClone(sample);
  if (options.set !== undefined) setNodes(callback, options.set);
  return callback;
}

/**
 * The same sample as a raw body, as CI would POST it: XML (the default for media and workflow callbacks) or
 * JSON (the default, and the only format, for moderation callbacks).
 * @throws RangeError as {@link exampleCallback} does, and for XML of a moderation event.
 */
export function exampleBody<N extends SimpleExampleName>(name: N, format: "json" | undefined, options: SimpleExampleOptions<N>): string;
export function exampleBody<N extends ExampleName>(name: N, format?: BodyFormat, options?: ExampleOptions<N>): string;
export function exampleBody<S extends string>(name: NotALiteral<S>, format?: BodyFormat, options?: ExampleOptions | SimpleExampleOptions): string;
export function exampleBody(name: string, format?: BodyFormat, options: ExampleOptions | SimpleExampleOptions = {}): string {
  const callback = exampleCallback(name, options);
  const moderation = options.version === "Simple" || knownModerationDetailCallbackEventNames.has(name);
  if (moderation && format === "xml") throw new RangeError(`${name} is a moderation callback, which CI sends as JSON only`);
  return (format ?? (moderation ? "json" : "xml")) === "json" ? `${JSON.stringify(callback, null, 4)}\n` : toXmlBody(callback);
}

/**
 * A name held in a `string` (read from a command line, say), not a literal: a literal must be a known name,
 * so that a misspelt one is a compile error.
 */
export type NotALiteral<S extends string> = string extends S ? S : never;

/** A sample's identifying node ({@link ExampleNode}); `ci-callback example --set` reads its leaves' types. */
export function exampleNode(callback: AnyCallback): Record<string, unknown> {
  const found = callback as { JobsDetail?: object; WorkflowExecution?: object; data?: object };
  const jobs = found.JobsDetail;
  return (found.WorkflowExecution ?? (Array.isArray(jobs) ? (jobs[0] as object) : jobs) ?? found.data) as Record<string, unknown>;
}

/** Sets the nodes on the callback's identifying node, in place; `undefined` removes one. */
function setNodes(callback: AnyCallback, nodes: object): void {
  const node = exampleNode(callback);
  for (const [key, value] of Object.entries(nodes)) {
    if (value === undefined) delete node[key];
    // defineProperty: a key such as `__proto__` is a node like any other, never the object's prototype.
    else Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  }
}
