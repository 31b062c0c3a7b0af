// Writes the cloud assembly (cdk.out/Strato.template.json and the fixture assets) the way the
// tests build the stack, for cfn-lint: `npx tsx test/synth.ts [outdir]`. No CLI, so cdk.json's
// build hook does not run and no credentials are asked for.
import * as path from "node:path";
import { synthStack } from "./stack.js";

const outdir = path.resolve(process.argv[2] ?? "cdk.out");
const { app } = synthStack(outdir);
const assembly = app.synth();
for (const stack of assembly.stacks) console.log(path.join(outdir, stack.templateFile));
