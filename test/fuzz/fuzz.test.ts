import { expect } from "chai";
import fc from "fast-check";
import { compareReaders, differentialBody } from "./differential";
import { checkBody, examples, fuzzBody } from "./mutations";

const SEED = 5_050_505;
const RUNS = 1500;
const DIFFERENTIAL_RUNS = 4000;

describe("fuzzing the reference callbacks", () => {
  it(`has every reference example to start from (${examples.length})`, () => {
    expect(examples.length).to.be.greaterThan(20);
  });

  it(`${RUNS} mutated bodies parse or give a CallbackError, the same with every XML reader`, function () {
    this.timeout(300_000); // a few seconds; the bound is for a loaded machine
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

  it(`${DIFFERENTIAL_RUNS} mutated and generated bodies: the strict reader and saxes read or refuse each alike`, function () {
    this.timeout(300_000); // a second or two; the bound is for a loaded machine
    let accepted = 0;
    fc.assert(
      fc.property(differentialBody, ({ body, maxDepth }) => {
        const comparison = compareReaders(body, maxDepth);
        if (comparison.difference !== undefined) throw new Error(comparison.difference);
        if (comparison.accepted) accepted++;
      }),
      { seed: SEED, numRuns: DIFFERENTIAL_RUNS },
    );
    expect(accepted, "some bodies are read by both, so trees are compared").to.be.greaterThan(DIFFERENTIAL_RUNS / 20);
  });
});
