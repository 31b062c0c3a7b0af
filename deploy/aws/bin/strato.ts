// The CDK app: one stack, "Strato", without an environment (the CLI's credentials decide
// where it goes). Context (cdk.json or -c): lambdaDir, the folder of the functions'
// bootstraps (default: $CARGO_TARGET_DIR/lambda, else ../../target/lambda, where
// `cargo lambda build` puts them); ffmpegLayerDir, a folder with bin/ffmpeg (default
// ../../target/lambda-layers/ffmpeg); processMemoryMb, strato-process's memory (default
// 3008, what every account may give; 10240 where the account's quota allows, for six vCPUs).
import { App } from "aws-cdk-lib";
import { StratoStack } from "../lib/strato-stack.js";

/** A context value given as a number or a string of one; absent, the stack's default. */
function optionalNumber(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

const app = new App();
const targetDir = process.env.CARGO_TARGET_DIR ?? "../../target";
new StratoStack(app, "Strato", {
  lambdaDir: app.node.tryGetContext("lambdaDir") ?? `${targetDir}/lambda`,
  ffmpegLayerDir: app.node.tryGetContext("ffmpegLayerDir") ?? `${targetDir}/lambda-layers/ffmpeg`,
  processMemoryMb: optionalNumber(app.node.tryGetContext("processMemoryMb")),
});
