// What other services get: one self-contained JSON Schema per event and an OpenAPI 3.1 document, exported
// by the package, usable with any validator (here a plain ajv and a real OpenAPI validator).
import { execFileSync } from "node:child_process";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv, { type ErrorObject } from "ajv";
import { expect } from "chai";
import { exampleCallback, parseCallback } from "../src";
import { knownModerationDetailCallbackEventNames, knownModerationSimpleDataEvents } from "../generated/unions";
import { ensureBuilt } from "./support/built";
import { example, repoRoot } from "./support/examples";
import { parseTaskFinish } from "./support/task-finish";

const loaded = new Map<string, string>();

/** A file the package exports, loaded by its public name, the way another service would (once per name, a fresh copy each call). */
function exported(name: string): Record<string, unknown> {
  const code = `process.stdout.write(JSON.stringify(require(${JSON.stringify(name)})))`;
  let text = loaded.get(name);
  if (text === undefined) loaded.set(name, (text = execFileSync(process.execPath, ["-e", code], { cwd: repoRoot, encoding: "utf8" })));
  return JSON.parse(text) as Record<string, unknown>;
}

describe("the exported schema", function () {
  // ajv compiles the whole bundled schema from scratch here, which takes a few seconds.
  this.timeout(300_000);
  before(ensureBuilt);

  /** The README's setup: a plain Ajv, one line for ci-time (its pattern travels with it), each event's schema. */
  function readmeAjv(options: { allErrors?: boolean } = {}): Ajv {
    const ajv = new Ajv(options);
    ajv.addFormat("ci-time", true);
    for (const name of bundles) ajv.addSchema(exported(`ci-callback/schema/${name}.json`));
    return ajv;
  }
  const bundles = ["task-finish", "workflow-finish", "workflow-start", "moderation-detail", "moderation-simple", "callback"] as const;
  // ajv compiles each schema on first use, seconds for the bundles: the tests that only validate share one.
  let shared: Ajv | undefined;
  const sharedAjv = () => (shared ??= readmeAjv());
  const schemaOf = (ajv: Ajv, name: (typeof bundles)[number]) => {
    const validate = ajv.getSchema(`https://ci-callback.invalid/schema/${name}.json`);
    if (validate === undefined) return expect.fail(`no schema ${name}`);
    return validate;
  };

  it("compiles with a plain new Ajv() and one line for ci-time, logging nothing; without the line ajv refuses it", () => {
    expect(() => new Ajv().compile(exported("ci-callback/schema/task-finish.json"))).to.throw(/unknown format "ci-time"/);
    const logged: unknown[] = [];
    const { warn, log } = console;
    console.warn = console.log = (...args: unknown[]) => void logged.push(args);
    try {
      readmeAjv();
    } finally {
      Object.assign(console, { warn, log });
    }
    expect(logged).to.deep.equal([]);
  });

  it("validates every sample against its event's schema and the any-callback one, and refuses a bad leaf", () => {
    const ajv = sharedAjv();
    const cases = [
      ...["Transcode", "VideoEnhance", "WordsGeneralize"].map((name) => ["task-finish", exampleCallback(name as string)] as const),
      ["workflow-finish", exampleCallback("WorkflowFinish")] as const,
      ["workflow-start", exampleCallback("WorkflowStart")] as const,
      ...[...knownModerationDetailCallbackEventNames].map((name) => ["moderation-detail", exampleCallback(name)] as const),
      ...[...knownModerationSimpleDataEvents].map((name) => ["moderation-simple", exampleCallback(name, { version: "Simple" })] as const),
    ];
    for (const [schema, callback] of cases) {
      for (const validate of [schemaOf(ajv, schema), schemaOf(ajv, "callback")]) {
        expect(validate(callback), `${schema}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
      }
    }
    const taskFinish = schemaOf(ajv, "task-finish");
    expect(taskFinish(parseCallback(example("VideoEnhance/seed-2.xml"))), ajv.errorsText(taskFinish.errors)).to.equal(true);
    expect(schemaOf(ajv, "workflow-finish")(parseCallback(example("WorkflowFinish/zh-863275522-1.xml")))).to.equal(true);
    const callback = parseTaskFinish(example("VideoEnhance/seed-3.json"));
    expect(taskFinish({ ...callback, JobsDetail: [{ ...callback.JobsDetail[0], State: "Done" }] })).to.equal(false);
    expect(taskFinish({ ...callback, JobsDetail: [{ ...callback.JobsDetail[0], EndTime: "yesterday" }] })).to.equal(false);
  });

  it("reports one bad leaf once, at that leaf, with allErrors and the README's one line", () => {
    const ajv = readmeAjv({ allErrors: true });
    /** The README's recipe: set aside the `if` that chose the variant, keep one error per node. */
    const issues = (errors: ErrorObject[]) => [...new Map(errors.filter((e) => e.keyword !== "if").map((e) => [e.instancePath, e])).values()];
    const bad = (value: unknown) => value as never;
    const cases = [
      ["task-finish", exampleCallback("Transcode", { set: { State: bad("Done") } }), "/JobsDetail/0/State"],
      ["task-finish", exampleCallback("VideoTag", { set: { EndTime: "yesterday" } }), "/JobsDetail/0/EndTime"],
      ["task-finish", exampleCallback("Transcode", { set: { Tag: bad("FutureJob"), Code: bad(5) } }), "/JobsDetail/0/Code"],
      ["workflow-finish", exampleCallback("WorkflowFinish", { set: { State: bad("Done") } }), "/WorkflowExecution/State"],
      ["moderation-detail", exampleCallback("ReviewImage", { set: { Result: bad("high") } }), "/JobsDetail/Result"],
      ["moderation-simple", exampleCallback("ReviewText", { version: "Simple", set: { result: bad("high") } }), "/data/result"],
      ["moderation-simple", exampleCallback("ReviewImage", { version: "Simple", set: { event: undefined, url: bad(5) } }), "/data/url"],
    ] as const;
    for (const [schema, callback, path] of cases) {
      const validate = schemaOf(ajv, schema);
      expect(validate(callback), path).to.equal(false);
      expect(issues(validate.errors ?? []).map((e) => e.instancePath), `${schema} ${path}`).to.deep.equal([path]);
    }
  });

  it("accepts a job type it does not know against the envelope, as the package does", () => {
    const validate = schemaOf(sharedAjv(), "callback");
    const future = parseCallback(example("VideoEnhance/seed-2.xml").toString().replace(/VideoEnhance</g, "FutureJob<"));
    expect(validate(future)).to.equal(true);
  });

  it("publishes every event as an OpenAPI 3.1 webhook that a real OpenAPI validator accepts", async () => {
    const document = exported("ci-callback/schema/openapi.json");
    const result = await new Validator().validate(document);
    expect(result.valid, JSON.stringify(result.errors)).to.equal(true);
    expect(Object.keys(document.webhooks as object)).to.deep.equal(["TaskFinish", "WorkflowFinish", "WorkflowStart", "ModerationDetail", "ModerationSimple"]);
  });
});
