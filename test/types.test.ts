// Type-level tests: `npm test` compiles this file with tsc (strict), so a wrong type fails the run.
import { expect } from "chai";
import { parseCallback, type TaskFinishCallback } from "../src";
import { example } from "./support/examples";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T | undefined => undefined;

describe("the generated types", () => {
  const callback: TaskFinishCallback = parseCallback(example("VideoEnhance/seed-2.xml"));
  const job = callback.JobsDetail[0];

  it("type a stream's Width as its wire text", () => {
    const width = job.Operation.MediaInfo?.Stream?.Video?.[0]?.Width;
    assertType<Equal<typeof width, string | undefined>>();
    expect(width).to.equal("544");
  });

  it("type lists as arrays and enums as unions", () => {
    assertType<Equal<NonNullable<typeof job.Input>["CosHeaders"], { Key?: string; Value?: string }[] | undefined>>();
    assertType<Equal<typeof job.State, "Submitted" | "Running" | "Success" | "Failed" | "Pause" | "Cancel">>();
    expect(job.Input?.CosHeaders).to.be.an("array");
  });

  it("make a misspelt property a compile error", () => {
    // @ts-expect-error -- "Widht" is not a property of VideoStream
    const misspelt: unknown = job.Operation.MediaInfo?.Stream?.Video?.[0]?.Widht;
    // @ts-expect-error -- "Operaton" is not a property of Job
    const alsoMisspelt: unknown = job.Operaton;
    expect([misspelt, alsoMisspelt]).to.deep.equal([undefined, undefined]);
  });
});
