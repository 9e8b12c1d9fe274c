/**
 * Bounds the work of ajv's `allErrors` validators. As ajv writes them, a validator collects every error of a
 * body, and each failing child's errors are appended by copying all the errors so far (`concat`): a list of
 * n failing items costs n² copies (32,000 items took 10 s). This pass makes every validator stop, and report
 * what it has, once it holds {@link MAX_ERRORS} errors, so the cost of an invalid body is linear in the body and
 * its errors bounded, while a body with fewer errors gets every one of them.
 *
 * The stop is placed where errors can pile up: after a child validator's errors are merged in, and after an
 * error ajv makes inside a loop (a list's items); elsewhere a validator makes a few errors at most. Errors of
 * speculative checks (`if` and `not` subschemas, which ajv later discards) are made empty (`{}`), and those are
 * left alone; {@link assertNoSpeculativeRefs} makes sure no child validator is ever called speculatively, so a
 * child's stop cannot be one of them.
 */
import type { SchemaNode } from "./schema-set";

/** The most errors a validator collects before it stops; the facade reports fewer issues than this. */
export const MAX_ERRORS = 256;

const FUNCTION = /^function (validate\d+)\(/;
const ERROR_OBJECT = /^\s*const err\d+ = (\{\};|\{)$/;

/**
 * Inserts the stops into ajv's standalone code, as formatted by prettier (one statement a line), in prettier's
 * own shape: each stop one statement on a line, at the indent of the line before it, so the result needs no
 * second formatting; a stop that would not fit in `printWidth` (prettier would break it) fails codegen.
 */
export function boundErrors(code: string, printWidth: number): string {
  const out: string[] = [];
  let current: string | undefined;
  let lastErrorEmpty = false;
  let stops = 0;
  // The indents of the `for` loops the current line is in.
  const loops: number[] = [];
  for (const line of code.split("\n")) {
    out.push(line);
    const trimmed = line.trim();
    const indent = line.slice(0, line.length - trimmed.length - (line.length - line.trimEnd().length));
    if (trimmed !== "") while (loops.length > 0 && indent.length <= loops[loops.length - 1]) loops.pop();
    if (trimmed.startsWith("for (")) loops.push(indent.length);
    const fn = FUNCTION.exec(line);
    if (fn) current = fn[1];
    const error = ERROR_OBJECT.exec(line);
    if (error) lastErrorEmpty = error[1] === "{};";
    const merged = trimmed === "errors = vErrors.length;";
    const inLoop = trimmed === "errors++;" && !lastErrorEmpty && loops.length > 0;
    if (!merged && !inLoop) continue;
    if (current === undefined) throw new Error("bound-errors: an error outside a validator function");
    const stop = `${indent}if (errors >= MAX_ERRORS) return stop(${current}, vErrors);`;
    if (stop.length > printWidth) throw new Error(`bound-errors: a stop in ${current} is wider than ${printWidth} characters`);
    out.push(stop);
    stops++;
  }
  if (stops === 0) throw new Error("bound-errors: found no error to bound; has ajv's code changed shape?");
  const firstFunction = out.findIndex((line) => FUNCTION.test(line));
  const helpers = [
    `// Inserted by codegen/bound-errors.ts: a validator stops at MAX_ERRORS errors, so invalid bodies cost linear time.`,
    `const MAX_ERRORS = ${MAX_ERRORS};`,
    `function stop(validate, errors) {`,
    `  validate.errors = errors;`,
    `  return false;`,
    `}`,
  ];
  out.splice(firstFunction, 0, ...helpers);
  return out.join("\n");
}

/**
 * Fails codegen when a `$ref` sits under `if` or `not` in the validation view: ajv would call that child
 * validator speculatively, and a stop inside it would end validation on errors that do not count.
 */
export function assertNoSpeculativeRefs(files: Map<string, SchemaNode>): void {
  const visit = (node: unknown, speculative: boolean, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, speculative, `${where}/${i}`));
      return;
    }
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && speculative) throw new Error(`bound-errors: a $ref under if/not at ${where}`);
      visit(value, speculative || key === "if" || key === "not", `${where}/${key}`);
    }
  };
  for (const [file, schema] of files) visit(schema, false, file);
}
