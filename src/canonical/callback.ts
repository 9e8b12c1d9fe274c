/**
 * The one call users make: a raw callback body, XML or JSON, in; a validated canonical object out.
 * Reading is format-specific (xml-reader, json-reader); everything after is shared and generated from
 * the schema (generated/normalize.ts, generated/validators.js), so both formats give the same object.
 */
import type { ErrorObject } from "ajv";
import type { AnyCallback, ModerationDetailCallback, ModerationSimpleCallback } from "../../generated/types";
import { knownCiCallbackEventNames, knownModerationDetailCallbackEventNames, type KnownCiCallback } from "../../generated/unions";
import type { CompiledValidator } from "../../generated/validators";
import { decodeBody } from "../read/body";
import { CallbackError, type CallbackIssue } from "../read/errors";
import { readJson } from "../read/json-reader";
import { isRecord, normalizeContext, type Normalizer, pointer } from "./normalize-runtime";
import { MAX_BYTES_LIMIT, MAX_DEPTH_LIMIT, wholeNumberOption } from "../read/limits";
import type { XmlReader } from "../read/xml-reader";

/** Options of {@link validateCallback}. */
export interface ValidateOptions {
  /** Report nodes the schema does not know as issues instead of keeping them silently. Default `false`. */
  strict?: boolean;
  /**
   * Deepest nesting accepted: of XML elements, or of JSON objects and arrays. Default 64 (CI callbacks nest
   * about 8 deep); at most 1000. Any other value than a whole number from 1 to 1000 throws a RangeError.
   */
  maxDepth?: number;
}

/** Options of {@link parseCallback} and {@link safeParseCallback}. */
export interface ParseOptions extends ValidateOptions {
  /** Largest body accepted, in bytes. Default 1 MiB; a whole number from 1 to 1 GiB (RangeError otherwise). */
  maxBytes?: number;
  /**
   * The request's Content-Type, if you have it. The format is always told by the body's first non-blank
   * character; a Content-Type naming XML or JSON only cross-checks it (a mismatch is a `parse` error).
   */
  contentType?: string;
  /**
   * The request's `X-Ci-Content-Version` header (`Simple` or `Detail`, any case), if you have it: it only
   * cross-checks the body's shape (a Simple header on a Detail body, or the other way round, is a `parse`
   * error). Other values are ignored.
   */
  contentVersion?: string;
}

/**
 * `maxBytes`, checked: a whole number from 1 to 1 GiB, default 1 MiB.
 * @throws TypeError or RangeError for any other value.
 */
export function readMaxBytes(options: { maxBytes?: number }): number {
  return wholeNumberOption("maxBytes", options.maxBytes, DEFAULT_MAX_BYTES, { min: 1, max: MAX_BYTES_LIMIT });
}

/**
 * `maxDepth`, checked: a whole number from 1 to 1000, default 64.
 * @throws TypeError or RangeError for any other value.
 */
export function readMaxDepth(options: { maxDepth?: number }): number {
  return wholeNumberOption("maxDepth", options.maxDepth, DEFAULT_MAX_DEPTH, { min: 1, max: MAX_DEPTH_LIMIT });
}

/** The outcome of a parse or validation that does not throw. */
export type CallbackResult<T = AnyCallback> = { ok: true; value: T } | { ok: false; error: CallbackError };

/**
 * A callback of an event this package knows: any {@link AnyCallback} but an `UnknownEventCallback` (an EventName
 * newer than the package, on a callback's shape). A `switch` on `EventName` narrows these exhaustively.
 */
export type KnownCallback = KnownCiCallback | ModerationDetailCallback | ModerationSimpleCallback;

/**
 * Whether a callback is of an event this package knows. TypeScript cannot type "any text but these names", so
 * an `UnknownEventCallback`'s EventName is `string`, and a `switch` on `EventName` narrows each known event only
 * once this guard has set the unknown ones aside (as `isKnownJob` does for job Tags).
 */
export function isKnownCallback(callback: AnyCallback): callback is KnownCallback {
  const event = callback.EventName;
  return event === undefined || knownCiCallbackEventNames.has(event) || knownModerationDetailCallbackEventNames.has(event);
}

/** Default size limit: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/** Default nesting limit. */
export const DEFAULT_MAX_DEPTH = 64;

/**
 * Parses and validates a CI callback body into its canonical object: a `TaskFinish` job callback or a
 * `WorkflowFinish` or `WorkflowStart` workflow callback (XML or JSON), a content-moderation callback in the
 * Detail version (JSON, `EventName` `ReviewImage`…), told apart by `EventName`, or one in the Simple version
 * (JSON `{code, message, data}`, no `EventName`; narrow on `data.event`). An EventName newer than the package,
 * on a body with a JobsDetail of jobs or a WorkflowExecution, is an `UnknownEventCallback` (reported in strict
 * mode): set it aside with {@link isKnownCallback}, then narrow on `EventName`.
 * @throws {@link CallbackError} with kind `parse`, `validation` or `limit`, and the issues with their paths.
 */
export function parseCallback(body: string | Uint8Array, options: ParseOptions = {}): AnyCallback {
  return parseCallbackWith(readXml, body, options);
}

type XmlReaderModule = typeof import("../read/xml-reader");

// The XML reader loads with the first XML body: a service that receives JSON only never pays for it.
let xmlReader: XmlReaderModule | undefined;
const readXml: XmlReader = (text, options) => {
  xmlReader ??= require("../read/xml-reader") as XmlReaderModule;
  return xmlReader.readXml(text, options);
};

/**
 * {@link parseCallback} with the given XML reader, so the tests and the benchmark can run each reader through
 * the whole pipeline. Not exported by the package.
 */
export function parseCallbackWith(
  reader: XmlReader,
  body: string | Uint8Array,
  options: ParseOptions = {},
): AnyCallback {
  const { loose, family } = readLoose(reader, body, options);
  return canonical(loose, options, family);
}

/** Reads a body to its loose value and the family it belongs to; what is left is normalising and validating. */
function readLoose(reader: XmlReader, body: string | Uint8Array, options: ParseOptions): { loose: unknown; family: Family } {
  const { text, format } = decodeBody(body, readMaxBytes(options), options.contentType);
  const maxDepth = readMaxDepth(options);
  let loose: unknown;
  if (format === "json") {
    loose = unwrapResponse(readJson(text, { maxDepth }));
  } else {
    const document = reader(text, { maxDepth });
    if (document.root !== "Response") {
      throw new CallbackError("validation", [{ path: "", message: "the root element must be <Response>" }]);
    }
    loose = document.value;
  }
  const family = familyOf(loose);
  if (family !== media && format === "xml") {
    throw parseError("content-moderation callbacks are JSON only, but the body is XML");
  }
  const declared = versionOfHeader(options.contentVersion);
  const shaped = family === simple ? "Simple" : "Detail";
  if (declared !== undefined && declared !== shaped) {
    throw parseError(`X-Ci-Content-Version says ${declared} but the body is a ${shaped} callback`);
  }
  return { loose, family };
}

/**
 * The normalised value of a body that reads but may fail validation: what a validation error's issue paths
 * point into (`ci-callback listen --inspect` shows it as a tree). `undefined` when the body does not read.
 * Not exported by the package.
 */
export function normalizedCandidate(body: string | Uint8Array, options: ParseOptions = {}): unknown {
  let read;
  try {
    read = readLoose(readXml, body, options);
  } catch (error) {
    if (error instanceof CallbackError) return undefined;
    throw error;
  }
  return read.family.stages().normalize(read.loose, undefined, normalizeContext(readMaxDepth(options))) ?? {};
}

/**
 * Like {@link parseCallback}, but returns the error instead of throwing it. Only options out of range throw
 * (a TypeError or RangeError): those are the caller's mistake, not the body's.
 */
export function safeParseCallback(body: string | Uint8Array, options: ParseOptions = {}): CallbackResult {
  return attempt(() => parseCallback(body, options));
}

/**
 * Normalises and validates a callback that is already a JS value (say, JSON another service decoded):
 * lists become arrays, media leaves' numbers become their text (moderation's stay numbers), empty nodes are
 * dropped, then the schema is checked.
 */
export function validateCallback(value: unknown, options: ValidateOptions = {}): CallbackResult {
  return attempt(() => {
    const loose = unwrapResponse(value);
    return canonical(loose, options, familyOf(loose));
  });
}

function attempt(run: () => AnyCallback): CallbackResult {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (error instanceof CallbackError) return { ok: false, error };
    throw error;
  }
}

/** JSON bodies come bare, but one documented example wraps them in `{"Response": …}` as the XML root does. */
function unwrapResponse(value: unknown): unknown {
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "Response") return value.Response;
  }
  return value;
}

type Normalizers = typeof import("../../generated/normalize");
type Validators = typeof import("../../generated/validators");

/** What turns one root's loose value into its canonical object: its normaliser and its validator. */
interface Stages {
  normalize: Normalizer;
  validate: CompiledValidator<AnyCallback>;
}

/** A family of callbacks: one root of the schema, whose stages are loaded with its first body. */
interface Family {
  stages(): Stages;
}

// The generated normalisers and validators (1.8 MB of code) load with the first body rather than at import,
// so that a service importing the package to start a listener starts fast (docs/decisions/0007-*.md).
let normalizers: Normalizers | undefined;
let validators: Validators | undefined;
function family(pick: (n: Normalizers, v: Validators) => Stages): Family {
  let stages: Stages | undefined;
  return {
    stages() {
      normalizers ??= require("../../generated/normalize") as Normalizers;
      validators ??= require("../../generated/validators") as Validators;
      stages ??= pick(normalizers, validators);
      return stages;
    },
  };
}
const media = family((n, v) => ({ normalize: n.normalizeCiCallback, validate: v.validateCiCallback }));
const detail = family((n, v) => ({
  normalize: n.normalizeModerationDetailCallback,
  validate: v.validateModerationDetailCallback,
}));
const simple = family((n, v) => ({
  normalize: n.normalizeModerationSimpleCallback,
  validate: v.validateModerationSimpleCallback,
}));

/**
 * Which root of the schema a body belongs to, by its shape: a moderation EventName is a Detail moderation
 * callback, no EventName beside a `data` node a Simple one, anything else a media or workflow callback (whose
 * validator names a wrong EventName).
 */
function familyOf(loose: unknown): Family {
  if (!isRecord(loose)) return media;
  const event = loose.EventName;
  if (typeof event === "string" && knownModerationDetailCallbackEventNames.has(event)) return detail;
  return event === undefined && Object.hasOwn(loose, "data") ? simple : media;
}

/** The version an `X-Ci-Content-Version` header names, in any case; undefined for other values. */
function versionOfHeader(header: string | undefined): "Simple" | "Detail" | undefined {
  const value = header?.trim().toLowerCase();
  return value === "simple" ? "Simple" : value === "detail" ? "Detail" : undefined;
}

function parseError(message: string): CallbackError {
  return new CallbackError("parse", [{ path: "", message }]);
}

function canonical(loose: unknown, options: ValidateOptions, family: Family): AnyCallback {
  const { normalize, validate } = family.stages();
  const context = normalizeContext(readMaxDepth(options));
  const value = normalize(loose, undefined, context) ?? {};
  const issues: CallbackIssue[] = [];
  // An `if`/`then` error only repeats, at the job, the errors ajv already reported inside it.
  const errors = validate(value) ? [] : (validate.errors ?? []).filter((e) => e.keyword !== "if");
  // A value of the wrong type fails its enum (or const) too: the type error alone says what is wrong there.
  const mistyped = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  // An `anyOf` of `required`s (an unknown event needs a JobsDetail or a WorkflowExecution) is one issue, not three.
  const alternatives = errors.filter((e) => e.keyword === "required" && /\/anyOf\/\d+\/required$/.test(e.schemaPath));
  const missingAlternatives: CallbackIssue[] = [];
  for (const error of errors) {
    if (alternatives.includes(error) || (error.keyword !== "type" && mistyped.has(error.instancePath))) continue;
    if (error.keyword === "anyOf") {
      const names = alternatives.filter((e) => e.instancePath === error.instancePath).map((e) => String(e.params.missingProperty));
      if (names.length > 0) {
        missingAlternatives.push({ path: error.instancePath, message: `must have ${names.join(" or ")}` });
        continue;
      }
    }
    issues.push(toIssue(error));
  }
  // After the body's own problems (a missing EventName says more about a COS notification than its containers).
  issues.push(...missingAlternatives);
  let omitted = 0;
  if (options.strict) {
    for (const i of context.unknown) issues.push({ path: pointer(i.place), message: `${i.message} (strict mode)` });
    omitted = context.unknownOmitted;
  }
  if (issues.length > 0) throw new CallbackError("validation", issues, omitted);
  return value as AnyCallback;
}

/** An ajv error in our terms; ajv's messages quote the schema, never the data, so they are safe to keep. */
function toIssue(error: ErrorObject): CallbackIssue {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { path: `${error.instancePath}/${String(params.missingProperty)}`, message: "is required but missing" };
    case "enum":
      return { path: error.instancePath, message: `must be one of ${(params.allowedValues as unknown[]).join(", ")}` };
    case "type":
      return { path: error.instancePath, message: `must be ${typeWords[String(params.type)] ?? String(params.type)}` };
    case "discriminator":
      return { path: `${error.instancePath}/${String(params.tag)}`, message: "names no known type" };
    case "format":
      return { path: error.instancePath, message: `must be in the ${String(params.format)} format` };
    default:
      return { path: error.instancePath, message: error.message ?? `fails ${error.keyword}` };
  }
}

const typeWords: Record<string, string> = {
  string: "text",
  object: "a container",
  array: "a list",
  integer: "a whole number",
  number: "a number",
};
