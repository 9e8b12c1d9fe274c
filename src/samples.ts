/** Sample callbacks for users' own tests, built by codegen from the schema (generated/samples.ts). */
import { samples } from "../generated/samples";
import type { CiCallback } from "../generated/types";
import type { BodyFormat } from "./body";
import { toXmlBody } from "./xml-writer";

/** The names {@link exampleCallback} knows: every job Tag, and `WorkflowFinish`. */
export const exampleNames: readonly string[] = Object.keys(samples);

/**
 * A realistic, valid callback for a job Tag (such as `"Transcode"`) or `"WorkflowFinish"`, in canonical
 * form (a fresh copy each call).
 * @throws RangeError for a name that has no sample (see {@link exampleNames}).
 */
export function exampleCallback(name: string): CiCallback {
  const sample = Object.hasOwn(samples, name) ? samples[name] : undefined;
  if (!sample) throw new RangeError(`no sample named ${name}; known: ${exampleNames.join(", ")}`);
  return structuredClone(sample);
}

/** The same sample as a raw body, as CI would POST it: XML (the default) or JSON. */
export function exampleBody(name: string, format: BodyFormat = "xml"): string {
  const callback = exampleCallback(name);
  return format === "json" ? `${JSON.stringify(callback, null, 4)}\n` : toXmlBody(callback);
}
