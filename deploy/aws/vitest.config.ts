// The CDK assertions: plain Node, no DOM. Test files share one module cache (isolate off), so
// aws-cdk-lib loads (about 5 s) and the stack is synthesized (test/stack.ts caches it) once
// per worker rather than once per file: 7 s instead of 47 s here. Nothing mutates the stack.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
