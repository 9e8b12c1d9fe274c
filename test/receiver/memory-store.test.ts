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

describe("receiver: the in-memory dedup store's order of last writes", () => {
  it("forgets the mark written least recently, counting a rewrite as a write", async () => {
    const store = new MemoryDedupStore({ maxEntries: 3 });
    for (const key of ["a", "b", "c"]) await store.claim(key, "t", 1000);
    await store.complete("a", "t", 1000); // a is now the newest
    await store.claim("d", "t", 1000);
    expect(store.size).to.equal(3);
    expect(await store.claim("b", "t2", 1000)).to.equal("claimed");
    expect(await store.claim("a", "t2", 1000)).to.equal("done");
  });

  it("does not count a released mark, and keeps the bound and the newest marks over many writes", async () => {
    const store = new MemoryDedupStore({ maxEntries: 100 });
    for (let i = 0; i < 5000; i++) {
      const key = `k${i}`;
      await store.claim(key, "t", 1000);
      if (i % 7 === 0) await store.release(key, "t");
      else await store.complete(key, "t", 1000);
    }
    expect(store.size).to.equal(100);
    // The 100 newest marks that were not released: k4999 back to k4884 less the multiples of 7.
    const kept: string[] = [];
    for (let i = 4999; kept.length < 100; i--) if (i % 7 !== 0) kept.push(`k${i}`);
    for (const key of kept) expect(await store.claim(key, "t2", 1000)).to.equal("done");
    const oldestKept = Number(kept[kept.length - 1].slice(1));
    expect(await store.claim(`k${oldestKept - 1}`, "t2", 1000)).to.equal("claimed");
  });

  it("sweeps expired marks from the front, oldest write first, however many rewrites came between", async () => {
    let now = 0;
    const store = new MemoryDedupStore({ now: () => now });
    await store.claim("early", "t", 10);
    for (let i = 0; i < 50; i++) await store.complete("late", "t", 1000);
    expect(store.size).to.equal(2);
    now = 11;
    expect(await store.claim("other", "t", 1000)).to.equal("claimed");
    expect(store.size).to.equal(2); // "early" swept, "late" and "other" kept
    expect(await store.claim("late", "t2", 1000)).to.equal("done");
  });
});
