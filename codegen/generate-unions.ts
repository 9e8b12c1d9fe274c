/**
 * generated/unions.ts: for each union, the discriminator values its variants have (the facade tells the
 * callback families apart by them); for each union with a fallback (jobs by Tag), also the union of its known
 * members and a type guard. TypeScript cannot type "a string other than these", so a switch on Tag narrows the
 * known job types only once `isKnownJob` has set the unknown ones aside.
 */
import { format } from "prettier";
import { banner } from "./banner";
import type { Shape, Union } from "./schema-set";
import { template } from "./templates";

const unionsModule = template<{ imports: string[]; unions: (Union & { Property: string })[] }>("unions");

/** Prints generated/unions.ts for the shapes of one schema set. */
export async function generateUnions(shapes: Shape[], from: string): Promise<string> {
  const unions = shapes
    .filter((s): s is Union => s.kind === "union")
    .map((u) => ({ ...u, Property: u.property.charAt(0).toUpperCase() + u.property.slice(1) }));
  const typed = unions.filter((u) => u.fallback !== undefined);
  const imports = [...new Set(typed.flatMap((u) => [u.title, ...u.variants.map((v) => v.target)]))].sort();
  return format(banner(from) + unionsModule({ imports, unions }), { parser: "typescript", printWidth: 120 });
}
