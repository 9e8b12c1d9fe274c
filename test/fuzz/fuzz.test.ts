import { expect } from "chai";
import fc from "fast-check";
import { checkBody, examples, fuzzBody } from "./mutations";

const SEED = 5_050_505;
const RUNS = 1500;

describe("fuzzing the reference callbacks", () => {
  it(`has every reference example to start from (${examples.length})`, () => {
    expect(examples.length).to.be.greaterThan(20);
  });

  it(`${RUNS} mutated bodies parse or give a CallbackError, the same with both XML readers`, function () {
    this.timeout(60_000); // a few seconds; the bound is for a loaded machine
    let valid = 0;
    fc.assert(
      fc.property(fuzzBody, (body) => {
        if (checkBody(body)) valid++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(valid, "some mutated bodies are still valid callbacks").to.be.greaterThan(RUNS / 50);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});
