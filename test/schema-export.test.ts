// The README's recipe for other services: compile the exported schema files with a plain ajv.
import { join } from "node:path";
import Ajv from "ajv";
import { expect } from "chai";
import { parseCallback } from "../src";
import { example, repoRoot } from "./support/examples";

const schemaFile = (name: string): Record<string, unknown> => require(join(repoRoot, "schema", name)) as Record<string, unknown>;

describe("the exported schema", () => {
  const ajv = new Ajv();
  const formats = schemaFile("formats.json") as Record<string, { pattern: string }>;
  ajv.addFormat("ci-time", new RegExp(formats["ci-time"].pattern));
  for (const f of ["leaf", "media", "video-enhance", "job"]) ajv.addSchema(schemaFile(`${f}.schema.json`));
  const validate = ajv.compile(schemaFile("task-finish.schema.json"));

  it("accepts the canonical object of the seed callback", () => {
    expect(validate(parseCallback(example("VideoEnhance/seed-2.xml"))), JSON.stringify(validate.errors)).to.equal(true);
  });

  it("rejects what the package rejects", () => {
    const callback = parseCallback(example("VideoEnhance/seed-3.json"));
    expect(validate({ ...callback, JobsDetail: [{ ...callback.JobsDetail[0], State: "Done" }] })).to.equal(false);
    expect(validate({ ...callback, JobsDetail: [{ ...callback.JobsDetail[0], EndTime: "yesterday" }] })).to.equal(false);
  });
});
