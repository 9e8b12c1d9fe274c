/** Loads the handlebars templates of codegen/templates. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";

/** Compiles `templates/<name>.hbs`; no HTML escaping (the output is code), and a missing field is an error. */
export function template<T>(name: string): (data: T) => string {
  const source = readFileSync(join(__dirname, "templates", `${name}.hbs`), "utf8");
  return Handlebars.compile<T>(source, { noEscape: true, strict: true });
}
