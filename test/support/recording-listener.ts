/** A listener for adapter tests: records what it handles and the errors it reports; dedup off. */
import { type CallbackListenerOptions, type ListenerErrorContext, createCallbackListener } from "../../src";

export function recordingListener(options: CallbackListenerOptions = {}) {
  const seen: string[] = [];
  const errors: { error: unknown; context: ListenerErrorContext }[] = [];
  const listener = createCallbackListener({
    secret: false,
    dedup: false,
    handler: (callback) => {
      seen.push(callback.EventName ?? "Simple");
    },
    onError: (error, context) => errors.push({ error, context }),
    ...options,
  });
  return { listener, seen, errors };
}
