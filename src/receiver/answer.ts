/**
 * What the listener answers, independent of the framework that sends it: a status, headers and a small
 * JSON body. Error bodies name the problem and the issues' paths but never echo the request body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CallbackIssue } from "../read/errors";

/** An HTTP answer, ready for any framework to send. */
export interface ListenerAnswer {
  /** HTTP status: 200 handled or duplicate; 400, 401, 405, 408, 413 refused; 500, 503 deliver again. */
  status: number;
  /** Lower-case header names: content-type always; allow, retry-after or connection where they apply. */
  headers: Readonly<Record<string, string>>;
  /** JSON text. */
  body: string;
}

/** The JSON body of an answer. */
export type AnswerBody =
  | { ok: true; duplicate?: true; test?: true }
  | { ok: false; error: { kind: string; message: string; issues?: readonly CallbackIssue[] } };

/** Builds an answer with a JSON body. */
export function answer(status: number, body: AnswerBody, headers: Record<string, string> = {}): ListenerAnswer {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
}

/** A refusal with a kind and a message (and, for invalid bodies, the issues). */
export function refusal(
  status: number,
  kind: string,
  message: string,
  options: { issues?: readonly CallbackIssue[]; headers?: Record<string, string> } = {},
): ListenerAnswer {
  const error = options.issues === undefined ? { kind, message } : { kind, message, issues: options.issues };
  return answer(status, { ok: false, error }, options.headers);
}

/** Writes an answer to a Node response; after a timeout the connection is closed too. */
export function writeNodeAnswer(req: IncomingMessage, res: ServerResponse, reply: ListenerAnswer): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) });
  // A sender too slow to finish its body gets no more time on this connection.
  if (reply.status === 408) res.once("finish", () => req.socket.destroy());
  res.end(reply.body);
}
