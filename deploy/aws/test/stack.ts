// The stack as the tests see it: synthesized in process from the fixtures (stand-in
// bootstraps and an ffmpeg layer), with no credentials, no CLI and no Docker.
import * as path from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { StratoStack } from "../lib/strato-stack.js";

export const FIXTURES = path.join(import.meta.dirname, "fixtures");

export function synthStack(outdir?: string): { app: App; stack: StratoStack } {
  const app = new App({
    outdir,
    context: {
      // No asset is ever bundled (the functions are prebuilt): said so anyway, as the CLI would.
      "aws:cdk:bundling-stacks": [],
    },
  });
  const stack = new StratoStack(app, "Strato", {
    lambdaDir: path.join(FIXTURES, "lambda"),
    ffmpegLayerDir: path.join(FIXTURES, "ffmpeg"),
  });
  return { app, stack };
}

let cached: { stack: StratoStack; template: Template } | undefined;

/** One synthesis per test file. */
export function strato(): { stack: StratoStack; template: Template } {
  if (!cached) {
    const { stack } = synthStack();
    cached = { stack, template: Template.fromStack(stack) };
  }
  return cached;
}
