// The exported schema read by other languages' tools, run for real: json-schema-to-typescript and quicktype
// (Go, Python) generate types from the bundles under schema/types/, and Python's jsonschema (Debian's
// python3-jsonschema) validates a canonical callback against the bundles for validators.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { compile, type JSONSchema } from "json-schema-to-typescript";
import { isKnownCallback, knownJobTags, parseCallback } from "../src";
import { ensureBuilt } from "./support/built";
import { example, repoRoot } from "./support/examples";

/** A file the package exports, by its public name, resolved the way another project would. */
function exportedPath(name: string): string {
  return execFileSync(process.execPath, ["-p", `require.resolve(${JSON.stringify(name)})`], { cwd: repoRoot, encoding: "utf8" }).trim();
}

const seed = parseCallback(example("VideoEnhance/seed-2.xml"));

describe("the exported schema, read by code generators and by Python", function () {
  // Child processes (npm, tsc, esbuild, quicktype, python3, typedoc) whose exits end each wait; this bound is for a hang.
  this.timeout(600_000);
  let dir = "";

  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "ci-callback-schema-types-"));
    writeFileSync(join(dir, "seed.json"), JSON.stringify(seed));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("gives json-schema-to-typescript the Job union, one interface per known Tag and UnknownJob", async () => {
    const schema = JSON.parse(readFileSync(exportedPath("ci-callback/schema/types/task-finish.json"), "utf8")) as JSONSchema;
    const ts = await compile(schema, "TaskFinishCallback", { additionalProperties: false, bannerComment: "" });
    const union = /^export type Job =\n((?:\s+\| \w+\n?)+);/m.exec(ts)?.[1];
    const members = [...(union ?? "").matchAll(/\| (\w+)/g)].map((m) => m[1]);
    const expected = [...knownJobTags].map((tag) => `${tag}Job`);
    expect(members.toSorted()).to.deep.equal([...expected, "UnknownJob"].sort());
    for (const name of [...expected, "UnknownJob"]) expect(ts).to.match(new RegExp(`^export interface ${name} \\{$`, "m"));
    // Each job type whole (the envelope merged in), no intersections or numbered copies.
    expect(ts).to.match(/^export interface TranscodeJob \{\n(?:.*\n)*?\s+JobId: string;/m);
    expect(ts).not.to.match(/^export (?:interface|type) \w+\d+\b/m);
  });

  it("gives quicktype Go and Python types; the Python ones read the seed callback", () => {
    const quicktype = join(repoRoot, "node_modules", ".bin", "quicktype");
    const schema = exportedPath("ci-callback/schema/types/task-finish.json");
    const generate = (lang: string, out: string) =>
      execFileSync(quicktype, ["--src-lang", "schema", "--lang", lang, "--top-level", "TaskFinishCallback", "-o", join(dir, out), schema], { stdio: "pipe" });
    generate("go", "callback.go");
    // Go has no union: quicktype merges the job types into one Job struct whose Operation has every Tag's fields.
    const go = readFileSync(join(dir, "callback.go"), "utf8");
    expect(go).to.match(/^type TaskFinishCallback struct \{\n(?:.*\n)*?\s+JobsDetail\s+\[\]Job\s+`json:"JobsDetail"`/m);
    expect(go).to.match(/^type Job struct \{\n(?:.*\n)*?\s+Tag\s+string\s+`json:"Tag"`/m);
    // Transcode's struct is named after the first Tag whose Operation has one (GeneratePlayList's, merged with Transcode's).
    expect(go).to.match(/^type Operation struct \{\n(?:.*\n)*?\s+Transcode\s+\*\w*Transcode\w*\s/m);
    generate("python", "callback.py");
    const read = `import json, callback
c = callback.task_finish_callback_from_dict(json.load(open("seed.json")))
job = c.jobs_detail[0]
print(job.tag, job.job_id, job.operation.media_info.stream.video[0].width)`;
    const job = isKnownCallback(seed) && seed.EventName === "TaskFinish" ? seed.JobsDetail[0] : undefined;
    expect(execFileSync("/usr/bin/python3", ["-c", read], { cwd: dir, encoding: "utf8" }).trim()).to.equal(`VideoEnhance ${job?.JobId} 544`);
  });

  it("validates the seed callback with Python's jsonschema and refuses a bad State, at its path in the validators' bundles", () => {
    const check = `import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
callback = json.load(open("seed.json"))
validator = jsonschema.Draft7Validator(schema)
print(not list(validator.iter_errors(callback)))
callback["JobsDetail"][0]["State"] = "Done"
errors = list(validator.iter_errors(callback))
def paths(errors):
    for error in errors:
        yield "/".join(map(str, error.absolute_path))
        yield from paths(error.context)
print(sorted({"/".join(map(str, error.absolute_path)) for error in errors}), "JobsDetail/0/State" in set(paths(errors)))`;
    const validate = (name: string) => execFileSync("/usr/bin/python3", ["-c", check, exportedPath(name)], { cwd: dir, encoding: "utf8" }).trim().split("\n");
    expect(validate("ci-callback/schema/task-finish.json")).to.deep.equal(["True", "['JobsDetail/0/State'] True"]);
    // Any callback: a union of the events, so the refusal is the body's, the bad State among its reasons. The
    // generators' form means the same; its oneOf of job types reports at the job.
    expect(validate("ci-callback/schema/callback.json")).to.deep.equal(["True", "[''] True"]);
    expect(validate("ci-callback/schema/types/task-finish.json")).to.deep.equal(["True", "['JobsDetail/0'] True"]);
  });
});
