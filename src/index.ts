/**
 * ci-callback: Tencent Cloud CI task callbacks, XML or JSON, parsed into validated, typed objects.
 * @packageDocumentation
 */
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  parseCallback,
  safeParseCallback,
  validateCallback,
  type CallbackResult,
  type ParseOptions,
  type ValidateOptions,
} from "./callback";
export { CallbackError, type CallbackErrorKind, type CallbackIssue } from "./errors";
export { parseCiTime } from "./time";
export { exampleBody, exampleCallback, exampleNames } from "./samples";
export type { BodyFormat } from "./body";
export { isKnownJob, knownJobTags, type KnownJob } from "../generated/unions";
export type * from "../generated/types";
