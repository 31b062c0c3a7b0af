// Owns: the work after a request. The processing queue the API sends each completed upload
// to, its dead-letter queue, and strato-process (ffmpeg from a layer) reading it; and
// strato-collect, run hourly, which removes from the buckets what no live record names and
// finishes playlist sweeps left behind.
import { Duration, Size } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Data } from "./data.js";
import { StratoFunction } from "./functions.js";
import type { Media } from "./media.js";

/** strato-process may run this long: Lambda's most. */
const PROCESS_TIMEOUT = Duration.minutes(15);
/**
 * strato-process's memory unless the stack is told otherwise. Lambda gives CPU in proportion
 * to memory: 3,008 MB (under two vCPUs) is the most a new account's quota allows. A job runs
 * eight encoders at once, about 4.4 CPU-seconds a minute of audio (measured on this
 * project's two-core machine), so the longest track taken, 3 hours, needs some 8 minutes of
 * the 15 here, and about 3 at 10,240 MB (six vCPUs) where the quota allows it.
 */
const PROCESS_MEMORY_MB = 3008;

export interface ProcessingProps {
  lambdaDir: string;
  /** A folder laid out as a layer: `bin/ffmpeg` (Lambda mounts it at /opt). */
  ffmpegLayerDir: string;
  /** strato-process's memory, MB (see PROCESS_MEMORY_MB). */
  memoryMb?: number;
  data: Data;
  media: Media;
}

export class Processing extends Construct {
  /**
   * How long a job strato-process could not finish waits before SQS hands it out again,
   * times its receive count (the function sets the message's visibility so): without it,
   * the queue's 90-minute visibility timeout would hold every retry.
   */
  readonly retryAfter = Duration.minutes(1);
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly process: StratoFunction;
  readonly collect: StratoFunction;
  /** ffmpeg at /opt/bin/ffmpeg: processing's encodes, and the API's cover resizing. */
  readonly ffmpeg: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: ProcessingProps) {
    super(scope, id);
    const { data, media, lambdaDir } = props;
    const memorySize = props.memoryMb ?? PROCESS_MEMORY_MB;
    // Below one vCPU's 1769 MB, ffmpeg's encodes would crawl.
    if (!Number.isInteger(memorySize) || memorySize < 1769 || memorySize > 10240) {
      throw new Error(`processMemoryMb must be a whole number of MB from 1769 to 10240: ${props.memoryMb}`);
    }
    this.deadLetters = new sqs.Queue(this, "DeadLetters", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, "Queue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for a Lambda source: six times the function's timeout, so a message is
      // not handed out again while a slow run still holds it.
      visibilityTimeout: Duration.minutes(PROCESS_TIMEOUT.toMinutes() * 6),
      // The third receive is the last: strato-process marks the upload failed then.
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 3 },
    });

    const ffmpeg = new lambda.LayerVersion(this, "Ffmpeg", {
      description: "ffmpeg for strato-process and strato-api's covers, at /opt/bin/ffmpeg",
      code: lambda.Code.fromAsset(props.ffmpegLayerDir),
      compatibleRuntimes: [lambda.Runtime.PROVIDED_AL2023],
      compatibleArchitectures: [lambda.Architecture.X86_64],
    });
    this.process = new StratoFunction(this, "Process", {
      bin: "strato-process",
      lambdaDir,
      description: "Strato: turns an uploaded original into published media and a cover",
      memorySize,
      timeout: PROCESS_TIMEOUT,
      ephemeralStorageSize: Size.gibibytes(10),
      layers: [ffmpeg],
    });
    this.ffmpeg = ffmpeg;
    this.process.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        // Bounds what a flood of uploads can cost at once.
        maxConcurrency: 10,
      }),
    );
    // Each change reads the record and puts it back on the condition nothing came between
    // (strato_aws::uploads::DynamoUploads).
    this.process.allowTable(data.tables.Uploads, { actions: ["GetItem", "PutItem"] });
    this.process.allowObjects(media.uploadsBucket, ["uploads/"], ["GetObject"]);
    this.process.allowObjects(media.mediaBucket, ["media/", "art/"], ["PutObject"]);
    // A publication removes what an earlier run of the same upload left and this one did not
    // make (strato_aws::media::S3Media::publish): it lists and deletes under media/ only.
    this.process.allowListing(media.mediaBucket, ["media/"]);
    this.process.allowObjects(media.mediaBucket, ["media/"], ["DeleteObject"]);

    this.collect = new StratoFunction(this, "Collect", {
      bin: "strato-collect",
      lambdaDir,
      description: "Strato: removes what no live record names, finishes playlist sweeps",
      memorySize: 512,
      timeout: Duration.minutes(15),
    });
    new events.Rule(this, "Hourly", {
      description: "Strato: runs strato-collect",
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.collect.fn, { retryAttempts: 2 })],
    });
    this.collect.allowTable(data.tables.Uploads, { actions: ["Scan"] });
    this.collect.allowTable(data.tables.Playlists, {
      actions: ["Query", "BatchWriteItem", "DeleteItem"],
    });
    this.collect.allowListing(media.uploadsBucket, ["uploads/"]);
    this.collect.allowListing(media.mediaBucket, ["media/", "art/"]);
    this.collect.allowObjects(media.uploadsBucket, ["uploads/"], ["DeleteObject", "AbortMultipartUpload"]);
    // Multipart uploads a deleted upload left open are listed, then aborted.
    this.collect.allow(["s3:ListBucketMultipartUploads"], [media.uploadsBucket.bucketArn]);
    this.collect.allowObjects(media.mediaBucket, ["media/", "art/"], ["DeleteObject"]);
  }
}
