// A consumer of the built package, compiled by test/package.test.ts with module nodenext (not by the main tsconfig).
import { CallbackError, parseCallback, type TaskFinishCallback } from "ci-callback";

const callback: TaskFinishCallback = parseCallback("<Response/>");
const width: string | undefined = callback.JobsDetail[0].Operation.MediaInfo?.Stream?.Video?.[0]?.Width;
export const summary = [width, CallbackError.name];
