/**
 * ci-callback/inbox: durable delivery, an inbox on BullMQ that a listener puts callbacks in and the worker that
 * handles them. bullmq and ioredis are optional peer dependencies of ci-callback, loaded when an inbox, a worker
 * or `ci-callback inbox` is first made: without them that call throws an error naming
 * `npm install bullmq ioredis`, and a service that only parses never installs or loads them.
 * @packageDocumentation
 * @module ci-callback/inbox
 */
export type { CallbackInbox, InboxEntry, InboxEvent } from "../receiver/callback-inbox";
export type { ClusterConnection } from "./cluster";
export { INSTALL_INBOX_PEERS, type InboxConnection } from "./connection";
export {
  InboxClosedError,
  InboxFullError,
  InboxTimeoutError,
  createCallbackInbox,
  type BullMQCallbackInbox,
  type CallbackInboxOptions,
} from "./bullmq-inbox";
export type { InboxCounts, InboxQueueStats, InboxStats } from "./stats";
export {
  createCallbackWorker,
  type CallbackWorker,
  type CallbackWorkerOptions,
  type FailedJobContext,
  type WorkerBackoff,
  type WorkerCloseOptions,
  type WorkerErrorContext,
} from "./worker";
