/**
 * ci-callback: Tencent Cloud CI task callbacks, XML or JSON, parsed into validated, typed objects.
 * @packageDocumentation
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
export { CallbackError, MAX_ISSUES, type CallbackErrorKind, type CallbackIssue } from "./read/errors";
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
} from "./receiver/listener";
export { ALL_EVENTS, CONSOLE_TEST_MESSAGE, identifyEvent, type AllEvents, type CallbackEventMap, type CallbackEventName, type CallbackOfEvent, type EventIdentity, type ReceivedCallback } from "./receiver/events";
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
// Durable delivery: an inbox on BullMQ and the worker that handles it (src/inbox/); bullmq loads on first use.
export type { CallbackInbox, InboxConnection, InboxEntry } from "./receiver/callback-inbox";
export { InboxTimeoutError, createCallbackInbox, type BullMQCallbackInbox, type CallbackInboxOptions } from "./inbox/bullmq-inbox";
export {
  createCallbackWorker,
  type CallbackWorker,
  type CallbackWorkerOptions,
  type FailedJobContext,
  type WorkerBackoff,
  type WorkerErrorContext,
} from "./inbox/worker";
export type * from "../generated/types";
