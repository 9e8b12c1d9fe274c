/**
 * Drops what ajv's standalone code carries but never reads. ajv writes every schema it compiled as a constant
 * (`const schema7 = {…};`, descriptions, examples and all), yet the validators read only a few parts of a few
 * of them: the `enum` lists an error names as its `allowedValues`. This pass keeps, of each constant, only the
 * parts the code reads (`schema7.properties.State.enum`), and drops constants the code never reads, so the
 * validators run as before from a file that loads faster. Deterministic: parts keep their order.
 */

const CONSTANT = /const (schema\d+) = /g;

/** One read of a constant: the property names (or indices) after its name, `[]` for the whole constant. */
type Access = string[];

/** The standalone code with its schema constants pruned to what it reads. */
export function pruneSchemaConstants(code: string): string {
  const constants: { name: string; start: number; end: number; value: unknown }[] = [];
  for (const match of code.matchAll(CONSTANT)) {
    const literal = match.index + match[0].length;
    // A boolean schema (`const schema9 = true;`) is tiny: left as it is.
    if (code[literal] !== "{" && code[literal] !== "[") continue;
    const end = literalEnd(code, literal);
    if (code[end] !== ";") throw new Error(`prune-schema-constants: ${match[1]} is not a JSON literal`);
    constants.push({ name: match[1], start: match.index, end: end + 1, value: JSON.parse(code.slice(literal, end)) });
  }
  if (constants.length === 0) throw new Error("prune-schema-constants: no schema constant; has ajv's code changed shape?");
  let rest = "";
  let from = 0;
  for (const constant of constants) {
    rest += code.slice(from, constant.start);
    from = constant.end;
  }
  rest += code.slice(from);
  const reads = accesses(rest);
  let out = "";
  from = 0;
  for (const constant of constants) {
    out += code.slice(from, constant.start);
    from = constant.end;
    const read = reads.get(constant.name);
    if (read) out += `const ${constant.name} = ${JSON.stringify(pick(constant.value, read))};`;
  }
  return out + code.slice(from);
}

/** Every read of each constant in `code`, by constant name. */
function accesses(code: string): Map<string, Access[]> {
  const reads = new Map<string, Access[]>();
  for (const match of code.matchAll(/\b(schema\d+)((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["[^"\\]*"\])*)/g)) {
    const path = [...match[2].matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\["([^"\\]*)"\]/g)].map(
      (step) => step[1] ?? step[2] ?? step[3],
    );
    reads.set(match[1], [...(reads.get(match[1]) ?? []), path]);
  }
  return reads;
}

/** The parts of `value` the reads reach, whole below each read's end. */
function pick(value: unknown, reads: Access[]): unknown {
  if (reads.some((read) => read.length === 0) || typeof value !== "object" || value === null) return value;
  const source = value as Record<string, unknown>;
  const picked: Record<string, unknown> = Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {};
  for (const key of Object.keys(source)) {
    const below = reads.filter((read) => read[0] === key).map((read) => read.slice(1));
    if (below.length > 0) picked[key] = pick(source[key], below);
  }
  return picked;
}

/** Where the JSON object or array literal at `start` ends (the offset after its closing bracket). */
function literalEnd(code: string, start: number): number {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      for (i++; code[i] !== '"'; i++) if (code[i] === "\\") i++;
    } else if (c === "{" || c === "[") {
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error("prune-schema-constants: a schema constant does not end");
}
