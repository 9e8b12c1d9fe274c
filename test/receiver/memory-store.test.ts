import { expect } from "chai";
import { MemoryDedupStore } from "../../src";

describe("receiver: the in-memory dedup store", () => {
  it("claims a free key once, then reports it processing, then done", async () => {
    const store = new MemoryDedupStore();
    expect(await store.claim("k", "t1", 1000)).to.equal("claimed");
    expect(await store.claim("k", "t2", 1000)).to.equal("processing");
    await store.complete("k", "t1", 1000);
    expect(await store.claim("k", "t3", 1000)).to.equal("done");
  });

  it("releases only the claim of the token that holds it", async () => {
    const store = new MemoryDedupStore();
    await store.claim("k", "t1", 1000);
    await store.release("k", "someone-else");
    expect(await store.claim("k", "t2", 1000)).to.equal("processing");
    await store.release("k", "t1");
    expect(await store.claim("k", "t2", 1000)).to.equal("claimed");
  });

  it("forgets marks when they expire", async () => {
    let now = 0;
    const store = new MemoryDedupStore({ now: () => now });
    await store.claim("processing", "t", 100);
    await store.claim("done", "t", 100);
    await store.complete("done", "t", 500);
    now = 101;
    expect(await store.claim("processing", "t2", 100)).to.equal("claimed");
    expect(await store.claim("done", "t2", 100)).to.equal("done");
    now = 601;
    expect(await store.claim("done", "t3", 100)).to.equal("claimed");
  });

  it("stays within maxEntries, forgetting the oldest marks first", async () => {
    const store = new MemoryDedupStore({ maxEntries: 3 });
    for (const key of ["a", "b", "c", "d"]) {
      await store.claim(key, "t", 1000);
      await store.complete(key, "t", 1000);
    }
    expect(store.size).to.equal(3);
    expect(await store.claim("a", "t", 1000)).to.equal("claimed");
    expect(await store.claim("d", "t", 1000)).to.equal("done");
  });
});
