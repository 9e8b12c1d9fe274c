import { expect } from "chai";
import { parseClusterNodes } from "../../src/cli/cluster-nodes";
import { ensureBuilt } from "../support/built";
import { cli } from "../support/inbox";
import { freePort } from "../support/redis";

describe("ci-callback inbox --cluster and --shards: reading the command line", function () {
  this.timeout(60_000);
  before(ensureBuilt);

  it("reads host:port lists and redis:// URLs, whose user, password and TLS apply to every node", () => {
    expect(parseClusterNodes("10.0.0.1:7000,10.0.0.2:7001")).to.deep.equal({
      connection: { cluster: [{ host: "10.0.0.1", port: 7000 }, { host: "10.0.0.2", port: 7001 }] },
      shown: "10.0.0.1:7000,10.0.0.2:7001",
    });
    expect(parseClusterNodes("rediss://app:s%40cret@redis-1:6380,redis-2,[::1]:7000")).to.deep.equal({
      connection: {
        cluster: [{ host: "redis-1", port: 6380 }, { host: "redis-2", port: 6379 }, { host: "::1", port: 7000 }],
        redisOptions: { username: "app", password: "s@cret", tls: {} },
      },
      shown: "redis-1:6380,redis-2:6379,[::1]:7000",
    });
    for (const wrong of ["", "a:b", "http://redis-1:6379", "redis-1:6379,", "redis://redis-1:6379/0"]) expect(parseClusterNodes(wrong), wrong).to.equal(undefined);
  });

  it("refuses --redis with --cluster, a wrong --cluster or --shards, and a brace in --queue with shards (exit 2, before any connection)", async () => {
    const cases: [string[], string][] = [
      [["--redis", "redis://127.0.0.1:1", "--cluster", "127.0.0.1:1"], "--redis and --cluster exclude each other"],
      [["--cluster", "127.0.0.1:1,"], "--cluster must list host:port or redis:// URLs, comma-separated"],
      [["--redis", "redis://127.0.0.1:1", "--shards", "0"], "--shards"],
      [["--redis", "redis://127.0.0.1:1", "--shards", "257"], "--shards"],
      [["--redis", "redis://127.0.0.1:1", "--shards", "2", "--queue", "{q}"], `--queue must hold no "{" or "}" on a cluster or with shards`],
      [["--cluster", "127.0.0.1:1", "--prefix", "{app}"], `--prefix must hold no "{" or "}" on a cluster or with shards`],
    ];
    for (const [args, message] of cases) {
      const result = await cli(["inbox", "status", "--queue", "q", ...args]);
      expect(result.status, args.join(" ")).to.equal(2);
      expect(result.stderr).to.include(message);
    }
    // A wrong list that holds a password: the usage error does not echo it.
    const secret = await cli(["inbox", "status", "--queue", "q", "--cluster", "redis://:hunter2@127.0.0.1:1/0,127.0.0.1:2"]);
    expect(secret.status).to.equal(2);
    expect(secret.stderr).to.include("--cluster must list host:port or redis:// URLs").and.not.to.include("hunter2");
  });

  it("exits 3 when no node of the cluster answers, naming the nodes and never a password", async () => {
    const port = await freePort();
    const result = await cli(["inbox", "status", "--queue", "q", "--cluster", `redis://:hunter2@127.0.0.1:${port}`]);
    expect(result.status).to.equal(3);
    expect(result.stderr).to.match(new RegExp(`^ci-callback inbox: cannot reach Redis at the cluster of 127\\.0\\.0\\.1:${port}: `));
    expect(result.stderr).not.to.include("hunter2");
  });
});
