/**
 * `npm run check-imports` (and CI): no import circles in src/, codegen/ and generated/, and src/'s stages in
 * order. Type-only imports count: a stage that needs a type from above it is in the wrong place too.
 */

/** The stages of src/, lowest first: a stage imports the stages before it in this list, never one after it. */
const stages = ["read", "canonical", "samples", "receiver", "inbox", "archive", "cli"];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle: modules that cannot be read, tested or loaded one without the other.",
      from: {},
      to: { circular: true },
    },
    ...stages.slice(0, -1).map((stage, i) => ({
      name: `stage-${stage}`,
      severity: "error",
      comment: `src/${stage}/ imports only the stages below it (${stages.slice(0, i).join(", ") || "none"}), never ${stages.slice(i + 1).join(", ")} or src/index.ts.`,
      from: { path: `^src/${stage}/` },
      to: { path: `^src/(${stages.slice(i + 1).join("|")})/|^src/index\\.ts$` },
    })),
    {
      name: "stage-cli",
      severity: "error",
      comment: "The CLI is the top stage; it uses the stages, not the front door (src/index.ts).",
      from: { path: "^src/cli/" },
      to: { path: "^src/index\\.ts$" },
    },
    {
      name: "front-door",
      severity: "error",
      comment: "src/index.ts is the package's API; the CLI is a program of its own, not part of it.",
      from: { path: "^src/index\\.ts$" },
      to: { path: "^src/cli/" },
    },
    {
      name: "in-a-stage",
      severity: "error",
      comment: "Every file of src/ but index.ts lives in a stage folder.",
      from: { path: "^src/[^/]+\\.ts$", pathNot: "^src/index\\.ts$" },
      to: {},
    },
    {
      name: "generated-below-canonical",
      severity: "error",
      comment: "generated/ builds on the normalisers' runtime and what it uses (read/, canonical/), nothing above.",
      from: { path: "^generated/" },
      to: { path: `^src/(${stages.slice(2).join("|")})/|^src/index\\.ts$` },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|dist-bench)/" },
  },
};
