/** Sample callbacks for users' own tests, built by codegen from the schema (generated/samples.ts). */
import { samples, simpleSamples } from "../generated/samples";
import type { AnyCallback } from "../generated/types";
import { knownModerationDetailCallbackEventNames } from "../generated/unions";
import type { BodyFormat } from "./body";
import { toXmlBody } from "./xml-writer";

/** The names {@link exampleCallback} knows: every job Tag, `WorkflowFinish` and every moderation event. */
export const exampleNames: readonly string[] = Object.keys(samples);

/** Which version of a moderation callback a sample is: `Detail` (the default) or `Simple`. */
export type ContentVersion = "Detail" | "Simple";

/** Options of {@link exampleCallback} and {@link exampleBody}. */
export interface ExampleOptions {
  /** For a moderation event: the Detail body (default) or the Simple one (image, text, audio and video have one). */
  version?: ContentVersion;
}

/**
 * A realistic, valid callback for a job Tag (such as `"Transcode"`), `"WorkflowFinish"` or a moderation event
 * (`"ReviewImage"`, in the version asked for), in canonical form (a fresh copy each call).
 * @throws RangeError for a name that has no sample (see {@link exampleNames}), or no sample of that version.
 */
export function exampleCallback(name: string, options: ExampleOptions = {}): AnyCallback {
  const simple = options.version === "Simple";
  const from: Readonly<Record<string, AnyCallback>> = simple ? simpleSamples : samples;
  const sample = Object.hasOwn(from, name) ? from[name] : undefined;
  if (!sample) {
    const known = simple ? Object.keys(simpleSamples) : exampleNames;
    throw new RangeError(`no ${simple ? "Simple " : ""}sample named ${name}; known: ${known.join(", ")}`);
  }
  return structuredClone(sample);
}

/**
 * The same sample as a raw body, as CI would POST it: XML (the default for media and workflow callbacks) or
 * JSON (the default, and the only format, for moderation callbacks).
 * @throws RangeError as {@link exampleCallback} does, and for XML of a moderation event.
 */
export function exampleBody(name: string, format?: BodyFormat, options: ExampleOptions = {}): string {
  const callback = exampleCallback(name, options);
  const moderation = options.version === "Simple" || knownModerationDetailCallbackEventNames.has(name);
  if (moderation && format === "xml") throw new RangeError(`${name} is a moderation callback, which CI sends as JSON only`);
  return (format ?? (moderation ? "json" : "xml")) === "json" ? `${JSON.stringify(callback, null, 4)}\n` : toXmlBody(callback);
}
