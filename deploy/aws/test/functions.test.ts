// The functions: each a prebuilt provided.al2023 bootstrap from lambdaDir/<bin> (fixtures
// here), traced with X-Ray, logging to its own group with a retention, given exactly the
// environment variables lib/environment.ts assigns it; strato-process fed by its queue with
// a dead-letter queue and ffmpeg from a layer; strato-collect run hourly.
import * as path from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as s3assets from "aws-cdk-lib/aws-s3-assets";
import { describe, expect, it } from "vitest";
import { BINS, type Bin, FUNCTION_ENV } from "../lib/environment.js";
import { StratoStack } from "../lib/strato-stack.js";
import { logicalId, resources } from "./helpers.js";
import { FIXTURES, strato } from "./stack.js";

type Props = Record<string, any>;
const { stack, template } = strato();
const all = resources(template);
const fnOf = (bin: Bin) => stack.functions.find((f) => f.bin === bin)!;
const propsOf = (bin: Bin) => all[logicalId(stack, fnOf(bin).fn)].Properties as Props;
const lambdas = Object.entries(all).filter(([, r]) => r.Type === "AWS::Lambda::Function");

/** The S3 key CDK gives an asset of this folder. */
function assetKey(dir: string): string {
  const scratch = new Stack(new App(), "Scratch");
  return `${new s3assets.Asset(scratch, "Asset", { path: dir }).assetHash}.zip`;
}

describe("every function", () => {
  it("is one of the five, or the deploy-time key maker", () => {
    expect(lambdas).toHaveLength(BINS.length + 1);
  });

  it.each(lambdas.map(([id]) => id))("%s is traced with X-Ray and logs to a group with a retention", (id) => {
    const p = all[id].Properties as Props;
    expect(p.TracingConfig).toEqual({ Mode: "Active" });
    const group = all[p.LoggingConfig.LogGroup.Ref];
    expect(group.Type).toBe("AWS::Logs::LogGroup");
    expect(group.Properties!.RetentionInDays).toBe(30);
  });

  it("has a log group of its own", () => {
    const groups = lambdas.map(([, r]) => (r.Properties as Props).LoggingConfig.LogGroup.Ref);
    expect(new Set(groups).size).toBe(lambdas.length);
  });
});

describe.each(BINS)("%s", (bin) => {
  it("runs its own prebuilt bootstrap on provided.al2023, x86_64", () => {
    const p = propsOf(bin);
    expect(p).toMatchObject({ Runtime: "provided.al2023", Architectures: ["x86_64"], Handler: "bootstrap" });
    expect(p.Code.S3Key).toBe(assetKey(path.join(FIXTURES, "lambda", bin)));
  });

  it("gets exactly the environment variables environment.ts assigns it", () => {
    expect(Object.keys(propsOf(bin).Environment.Variables).sort()).toEqual([...FUNCTION_ENV[bin]].sort());
  });
});

describe("strato-process", () => {
  const p = propsOf("strato-process");
  const queue = all[logicalId(stack, stack.processing.queue)].Properties as Props;
  const deadLetters = logicalId(stack, stack.processing.deadLetters);

  it("hands a job it could not finish back to SQS after a minute, not the queue's 90", () => {
    expect(p.Environment.Variables.STRATO_PROCESS_RETRY_SECS).toBe("60");
    expect(queue.VisibilityTimeout).toBe(5400);
  });

  it("has 15 minutes, 3008 MB and 10 GB of /tmp", () => {
    expect(p).toMatchObject({ Timeout: 900, MemorySize: 3008, EphemeralStorage: { Size: 10240 } });
  });

  it("takes the memory an account's quota allows from processMemoryMb, and nothing Lambda refuses", () => {
    const props = (processMemoryMb: number) => ({
      lambdaDir: path.join(FIXTURES, "lambda"),
      ffmpegLayerDir: path.join(FIXTURES, "ffmpeg"),
      processMemoryMb,
    });
    const big = new StratoStack(new App(), "Strato", props(10240));
    const bigProps = resources(Template.fromStack(big))[logicalId(big, big.processing.process.fn)]
      .Properties as Props;
    expect(bigProps.MemorySize).toBe(10240);
    expect(() => new StratoStack(new App(), "Strato", props(20000))).toThrow(/processMemoryMb/);
    expect(() => new StratoStack(new App(), "Strato", props(512))).toThrow(/processMemoryMb/);
  });

  it("has ffmpeg from a layer for provided.al2023", () => {
    expect(p.Layers).toHaveLength(1);
    const layer = all[p.Layers[0].Ref];
    expect(layer.Type).toBe("AWS::Lambda::LayerVersion");
    expect(layer.Properties).toMatchObject({
      CompatibleRuntimes: ["provided.al2023"],
      CompatibleArchitectures: ["x86_64"],
    });
    expect((layer.Properties as Props).Content.S3Key).toBe(assetKey(path.join(FIXTURES, "ffmpeg")));
  });

  it("reads its queue, whose messages stay hidden six times its timeout and go to a DLQ after 3 receives", () => {
    expect(queue.VisibilityTimeout).toBe(6 * 900);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": [deadLetters, "Arn"] },
      maxReceiveCount: 3,
    });
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [logicalId(stack, stack.processing.queue), "Arn"] },
      FunctionName: { Ref: logicalId(stack, fnOf("strato-process").fn) },
      BatchSize: 1,
    });
  });

  it("has queues encrypted and refusing plain HTTP", () => {
    for (const [id, r] of Object.entries(all)) {
      if (r.Type !== "AWS::SQS::Queue") continue;
      expect(r.Properties!.SqsManagedSseEnabled, id).toBe(true);
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: [{ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
        },
      });
    }
  });
});

describe("strato-collect", () => {
  it("runs every hour", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 hour)",
      State: "ENABLED",
      Targets: [
        Match.objectLike({
          Arn: { "Fn::GetAtt": [logicalId(stack, fnOf("strato-collect").fn), "Arn"] },
          RetryPolicy: { MaximumRetryAttempts: 2 },
        }),
      ],
    });
  });
});

describe("strato-api", () => {
  it("has processing's ffmpeg layer, which resizes the covers listeners send", () => {
    const p = propsOf("strato-api");
    expect(p.Layers).toEqual(propsOf("strato-process").Layers);
    expect(all[p.Layers[0].Ref].Type).toBe("AWS::Lambda::LayerVersion");
  });
});
