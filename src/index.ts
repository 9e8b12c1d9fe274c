/**
 * ci-callback: Tencent Cloud CI task callbacks, XML or JSON, parsed into validated, typed objects.
 * @packageDocumentation
 * @module ci-callback
 */
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  isKnownCallback,
  parseCallback,
  safeParseCallback,
  validateCallback,
  type CallbackResult,
  type KnownCallback,
  type ParseOptions,
  type ValidateOptions,
} from "./canonical/callback";
export { CallbackError, MAX_ISSUES, MAX_ISSUE_TEXT, type CallbackErrorKind, type CallbackIssue } from "./read/errors";
export { MAX_DEPTH_LIMIT } from "./read/limits";
export { parseCiTime } from "./canonical/time";
export {
  exampleBody,
  exampleCallback,
  exampleNames,
  type ContentVersion,
  type ExampleCallbackMap,
  type ExampleName,
  type ExampleNode,
  type ExampleOptions,
  type ExampleSet,
  type NotALiteral,
  type SimpleExampleCallbackMap,
  type SimpleExampleName,
  type SimpleExampleOptions,
  type SimpleSample,
  type TaskFinishSample,
} from "./samples/samples";
export type { BodyFormat } from "./read/body";
export { isKnownCiCallback, isKnownJob, knownCiCallbackEventNames, knownJobTags, type KnownCiCallback, type KnownJob } from "../generated/unions";
// Receiving callbacks over HTTP (src/receiver/).
export {
  HandlerTimeoutError,
  createCallbackListener,
  type CallbackContext,
  type CallbackHandler,
  type CallbackListener,
  type CallbackListenerOptions,
  type CallbackRequest,
  type DedupOptions,
  type ListenerErrorContext,
  type RefusedRequest,
} from "./receiver/listener";
export {
  ALL_EVENTS,
  CONSOLE_TEST_MESSAGE,
  identifyEvent,
  type AllEvents,
  type CallbackEventMap,
  type CallbackEventName,
  type CallbackOfEvent,
  type EventBase,
  type EventIdentity,
  type IdentifyingNodes,
  type ReceivedCallback,
  type SimpleOf,
} from "./receiver/events";
// What the package says and counts: one logger, and metrics on OpenTelemetry when it is installed.
export { defaultLogger, type CallbackLogger } from "./receiver/logger";
export { labelEvent, type EventLabel, type LabelledNodes } from "./receiver/event-label";
export type { HandlerOutcome, InstrumentOptions, MeterLike, MeterProviderLike, MetricAttributes, ObservableLike, ObservableResultLike } from "./receiver/metrics";
export type { AnswerBody, ListenerAnswer } from "./receiver/answer";
export { BodyReadError, type BodyLimits, type BodyReadErrorKind } from "./receiver/read-body";
export type { CallbackSecret } from "./receiver/secret";
export type { DedupClaim, DedupStore } from "./receiver/dedup-store";
export { MemoryDedupStore, type MemoryDedupStoreOptions } from "./receiver/memory-store";
export { RedisDedupStore, type RedisDedupClient, type RedisDedupStoreOptions } from "./receiver/redis-store";
export { createExpressHandler, type ExpressCallbackHandler, type ExpressLikeRequest } from "./receiver/express";
export {
  createFastifyHandler,
  fastifyCallbackPlugin,
  type FastifyCallbackHandler,
  type FastifyCallbackPluginOptions,
  type FastifyLikeInstance,
  type FastifyLikeReply,
  type FastifyLikeRequest,
} from "./receiver/fastify";
export { createKoaMiddleware, type KoaCallbackMiddleware, type KoaCallbackOptions, type KoaLikeContext } from "./receiver/koa";
export { createFetchHandler, type FetchCallbackHandler } from "./receiver/fetch";
// What a listener's `inbox` option takes; the BullMQ inbox and its worker are in `ci-callback/inbox`.
export type { CallbackInbox, InboxEntry, InboxEvent } from "./receiver/callback-inbox";
export { shutdownReceiver, type Closable, type ShutdownOptions } from "./receiver/shutdown";
export type * from "../generated/types";
