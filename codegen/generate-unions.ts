/**
 * generated/unions.ts: for each union with a fallback (jobs by Tag), the union of its known members and a
 * type guard. TypeScript cannot type "a string other than these", so a switch on Tag narrows the known
 * job types only once `isKnownJob` has set the unknown ones aside.
 */
import { format } from "prettier";
import { banner } from "./banner";
import type { Shape, Union } from "./schema-set";
import { template } from "./templates";

const unionsModule = template<{ imports: string[]; unions: Union[] }>("unions");

/** Prints generated/unions.ts for the shapes of one schema set. */
export async function generateUnions(shapes: Shape[], from: string): Promise<string> {
  const unions = shapes.filter((s): s is Union => s.kind === "union" && s.fallback !== undefined);
  const imports = [...new Set(unions.flatMap((u) => [u.title, ...u.variants.map((v) => v.target)]))].sort();
  return format(banner(from) + unionsModule({ imports, unions }), { parser: "typescript", printWidth: 120 });
}
