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
export type * from "../generated/types";
