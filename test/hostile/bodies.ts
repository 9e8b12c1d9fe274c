/**
 * Building blocks of the hostile corpus: valid callbacks that carry a marker, so a test can tell when an
 * error message or issue repeats any part of a body.
 */

/** In every hostile body (as text, a name or a key): no error may ever contain it. */
export const MARKER = "HOSTILE-MARKER-7f3a9c";

/** A valid XML callback with the marker as UserData; `job` goes into JobsDetail, `operation` into Operation. */
export function xml(job = "", operation = ""): string {
  return (
    "<Response><EventName>TaskFinish</EventName><JobsDetail>" +
    `<JobId>j1</JobId><Tag>VideoEnhance</Tag><State>Success</State>${job}` +
    `<Operation><TemplateId>t1</TemplateId><UserData>${MARKER}</UserData>${operation}</Operation>` +
    "</JobsDetail></Response>"
  );
}

/**
 * A valid JSON callback with the marker as UserData, written as text (so it can hold what JSON.stringify
 * cannot write, such as duplicate keys); `job` and `operation` are members appended to JobsDetail[0] and
 * Operation, each starting with a comma.
 */
export function json(job = "", operation = ""): string {
  return (
    '{"EventName":"TaskFinish","JobsDetail":[{"JobId":"j1","Tag":"VideoEnhance","State":"Success"' +
    `${job},"Operation":{"TemplateId":"t1","UserData":"${MARKER}"${operation}}}]}`
  );
}

/** `open` repeated `levels` times, `inner`, then `close` repeated as often. */
export function nest(levels: number, open: string, inner: string, close: string): string {
  return open.repeat(levels) + inner + close.repeat(levels);
}

/** The UTF-8 bytes of `text` with `bytes` spliced in where `at` first occurs (replacing it). */
export function bytesWith(text: string, at: string, bytes: number[]): Buffer {
  const index = text.indexOf(at);
  if (index < 0) throw new Error(`no ${at} in the body`);
  return Buffer.concat([
    Buffer.from(text.slice(0, index)),
    Buffer.from(bytes),
    Buffer.from(text.slice(index + at.length)),
  ]);
}

/** A valid Detail moderation callback (ReviewImage) with the marker as its Object; `job` is appended to JobsDetail. */
export function detailBody(job = ""): string {
  return `{"EventName":"ReviewImage","JobsDetail":{"JobId":"j1","State":"Success","Object":"${MARKER}"${job}}}`;
}

/** A valid Simple moderation callback (ReviewText) with the marker as its url; `data` is appended to data. */
export function simpleBody(data = ""): string {
  return `{"code":0,"message":"success","data":{"event":"ReviewText","trace_id":"t1","url":"${MARKER}"${data}}}`;
}
