/** Small callback bodies for tests: a valid minimum in both formats, with room for extra nodes. */

/** A minimal valid XML callback; `job` is inserted into JobsDetail, `operation` into Operation. */
export function xmlBody(job = "", operation = "<TemplateId>t1</TemplateId>"): string {
  return (
    "<Response><EventName>TaskFinish</EventName><JobsDetail>" +
    "<JobId>j1</JobId><Tag>VideoEnhance</Tag><State>Success</State>" +
    `${job}<Operation>${operation}</Operation></JobsDetail></Response>`
  );
}

/** A minimal valid JSON callback; `job` and `operation` are merged into JobsDetail and Operation. */
export function jsonBody(job: Record<string, unknown> = {}, operation: Record<string, unknown> = { TemplateId: "t1" }): string {
  return JSON.stringify({
    EventName: "TaskFinish",
    JobsDetail: [{ JobId: "j1", Tag: "VideoEnhance", State: "Success", ...job, Operation: operation }],
  });
}
