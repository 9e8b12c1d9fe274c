// What other services get: one self-contained JSON Schema per event and an OpenAPI 3.1 document, exported
// by the package, usable with any validator (here a plain ajv and a real OpenAPI validator).
import { execFileSync } from "node:child_process";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv from "ajv";
import { expect } from "chai";
import { parseCallback } from "../src";
import { ensureBuilt } from "./support/built";
import { example, repoRoot } from "./support/examples";
import { parseTaskFinish } from "./support/task-finish";

/** A file the package exports, loaded by its public name, the way another service would. */
function exported(name: string): Record<string, unknown> {
  const code = `process.stdout.write(JSON.stringify(require(${JSON.stringify(name)})))`;
  return JSON.parse(execFileSync(process.execPath, ["-e", code], { cwd: repoRoot, encoding: "utf8" })) as Record<string, unknown>;
}

describe("the exported schema", function () {
  // ajv compiles the whole bundled schema from scratch here, which takes a few seconds.
  this.timeout(60_000);
  before(ensureBuilt);

  it("validates each event with a plain ajv and no custom format (the pattern travels with it)", () => {
    const ajv = new Ajv({ validateFormats: false });
    const taskFinish = ajv.compile(exported("ci-callback/schema/task-finish.json"));
    const workflowFinish = ajv.compile(exported("ci-callback/schema/workflow-finish.json"));
    expect(taskFinish(parseCallback(example("VideoEnhance/seed-2.xml"))), ajv.errorsText(taskFinish.errors)).to.equal(true);
    expect(workflowFinish(parseCallback(example("WorkflowFinish/zh-863275522-1.xml")))).to.equal(true);
    const callback = parseTaskFinish(example("VideoEnhance/seed-3.json"));
    expect(taskFinish({ ...callback, JobsDetail: [{ ...callback.JobsDetail[0], State: "Done" }] })).to.equal(false);
    expect(taskFinish({ ...callback, JobsDetail: [{ ...callback.JobsDetail[0], EndTime: "yesterday" }] })).to.equal(false);
  });

  it("accepts a job type it does not know against the envelope, as the package does", () => {
    const validate = new Ajv({ validateFormats: false }).compile(exported("ci-callback/schema/callback.json"));
    const future = parseCallback(example("VideoEnhance/seed-2.xml").toString().replace(/VideoEnhance</g, "FutureJob<"));
    expect(validate(future)).to.equal(true);
  });

  it("publishes both callbacks as OpenAPI 3.1 webhooks that a real OpenAPI validator accepts", async () => {
    const document = exported("ci-callback/schema/openapi.json");
    const result = await new Validator().validate(document);
    expect(result.valid, JSON.stringify(result.errors)).to.equal(true);
    expect(Object.keys(document.webhooks as object)).to.deep.equal(["TaskFinish", "WorkflowFinish", "ModerationDetail", "ModerationSimple"]);
  });
});
