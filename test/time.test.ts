import { expect } from "chai";
import { isKnownCallback, parseCallback, parseCiTime, safeParseCallback } from "../src";
import { xmlBody } from "./support/bodies";
import { parseVideoEnhanceJob } from "./support/task-finish";

describe("CI times", () => {
  it("validate in CI's job, workflow and not-started forms", () => {
    for (const time of ["2022-06-30T20:02:17+0800", "2022-08-09 14:54:17+0800", "-", "2022-06-30T12:02:17.250Z"]) {
      const job = parseVideoEnhanceJob(xmlBody(`<StartTime>${time}</StartTime>`));
      expect(job.StartTime).to.equal(time);
    }
  });

  it("reject other forms", () => {
    for (const time of ["2022-06-30", "2022-13-30T20:02:17+0800", "2022-06-30T24:00:00+0800", "30/06/2022 20:02", "--"]) {
      const result = safeParseCallback(xmlBody(`<EndTime>${time}</EndTime>`));
      expect(result.ok, time).to.equal(false);
      if (!result.ok) expect(result.error.issues[0]).to.deep.equal({ path: "/JobsDetail/0/EndTime", message: "must be in the ci-time format" });
    }
  });

  it("validate in the moderation form, with a colon in the offset, and become the same Date", () => {
    const body = JSON.stringify({
      EventName: "ReviewText",
      JobsDetail: { JobId: "j1", State: "Success", CreationTime: "2021-08-10T21:01:10+08:00" },
    });
    const callback = parseCallback(body, { strict: true });
    if (!isKnownCallback(callback) || callback.EventName !== "ReviewText") return expect.fail("a ReviewText callback");
    expect(callback.JobsDetail.CreationTime).to.equal("2021-08-10T21:01:10+08:00");
    expect(parseCiTime("2021-08-10T21:01:10+08:00")).to.deep.equal(parseCiTime("2021-08-10T21:01:10+0800"));
    expect(safeParseCallback(body.replace("+08:00", "+08:0")).ok).to.equal(false);
  });

  it("become Dates with parseCiTime, honouring the offset", () => {
    expect(parseCiTime("2022-06-30T20:02:17+0800")?.toISOString()).to.equal("2022-06-30T12:02:17.000Z");
    expect(parseCiTime("2022-08-09 14:54:17+0800")?.toISOString()).to.equal("2022-08-09T06:54:17.000Z");
    expect(parseCiTime("2022-08-09T14:54:17.5-05:30")?.toISOString()).to.equal("2022-08-09T20:24:17.500Z");
    expect(parseCiTime("2022-08-09T14:54:17Z")?.toISOString()).to.equal("2022-08-09T14:54:17.000Z");
  });

  it("give undefined for a job that never started, and throw on anything else", () => {
    expect(parseCiTime("-")).to.equal(undefined);
    expect(() => parseCiTime("yesterday")).to.throw(RangeError);
    expect(() => parseCiTime("2022-02-30T00:00:00+0800")).to.throw(RangeError);
  });
});
