/**
 * node:crypto, loaded on first use: requiring it costs a few milliseconds, and importing the package should not
 * pay them before a callback arrives (the cold-start target of issue 11). getBuiltinModule, not require: an ES
 * module bundle of the package has no require().
 */
type NodeCrypto = typeof import("node:crypto");

let loaded: NodeCrypto | undefined;

/** The node:crypto module, required the first time it is asked for. */
export function nodeCrypto(): NodeCrypto {
  loaded ??= process.getBuiltinModule("node:crypto");
  return loaded;
}
