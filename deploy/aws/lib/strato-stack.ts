// Owns: the whole deployment as one environment-agnostic stack (no account, region or
// lookup: it synthesizes offline, and deploys to whichever account and region the CLI's
// credentials name). It puts the concerns together, gives each function the values of the
// environment variables lib/environment.ts assigns it, and names the outputs a listener
// needs to point the app at the deployment.
import { Aws, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { Api } from "./api.js";
import { Data } from "./data.js";
import { ENV, type EnvName, FUNCTION_ENV } from "./environment.js";
import type { StratoFunction } from "./functions.js";
import { Identity } from "./identity.js";
import { Live } from "./live.js";
import { Media } from "./media.js";
import { Ops } from "./ops.js";
import { Processing } from "./processing.js";

export interface StratoStackProps extends StackProps {
  /** Holds `<bin>/bootstrap` for each function (cargo lambda's layout). */
  lambdaDir: string;
  /** A layer folder with `bin/ffmpeg`. */
  ffmpegLayerDir: string;
  /** strato-process's memory, MB (default 3008). */
  processMemoryMb?: number;
}

export class StratoStack extends Stack {
  readonly identity: Identity;
  readonly data: Data;
  readonly media: Media;
  readonly processing: Processing;
  readonly live: Live;
  readonly api: Api;
  readonly ops: Ops;
  readonly functions: StratoFunction[];

  constructor(scope: Construct, id: string, props: StratoStackProps) {
    super(scope, id, { description: "Strato: the music service", ...props });
    const { lambdaDir } = props;
    this.identity = new Identity(this, "Identity");
    this.data = new Data(this, "Data");
    this.media = new Media(this, "Media");
    this.processing = new Processing(this, "Processing", {
      lambdaDir,
      ffmpegLayerDir: props.ffmpegLayerDir,
      memoryMb: props.processMemoryMb,
      data: this.data,
      media: this.media,
    });
    this.live = new Live(this, "Live", { lambdaDir, data: this.data });
    this.api = new Api(this, "Api", {
      lambdaDir,
      data: this.data,
      media: this.media,
      identity: this.identity,
      processing: this.processing,
    });
    this.functions = [
      this.api.handler,
      this.processing.process,
      this.processing.collect,
      this.live.live,
      this.live.fanout,
    ];
    this.setEnvironment();
    this.ops = new Ops(this, "Ops", {
      functions: this.functions,
      deadLetterQueues: [this.processing.deadLetters, this.live.fanoutFailures],
      httpApi: this.api.httpApi,
      tables: Object.values(this.data.tables),
    });

    const cdnUrl = `https://${this.media.distribution.distributionDomainName}`;
    new CfnOutput(this, "ApiUrl", {
      description: "The app's service URL (Settings, the service)",
      value: this.api.httpApi.apiEndpoint,
    });
    new CfnOutput(this, "CdnUrl", { description: "Media and art", value: cdnUrl });
    new CfnOutput(this, "LiveUrl", {
      description: "The live channel (WebSocket)",
      value: this.live.stage.url,
    });
    new CfnOutput(this, "UserPoolId", { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, "ClientId", { value: this.identity.client.userPoolClientId });
  }

  /** Each function gets exactly the variables environment.ts assigns it. */
  private setEnvironment(): void {
    const { tables } = this.data;
    const values: Record<EnvName, string> = {
      STRATO_REGION: Aws.REGION,
      STRATO_PLAYLISTS_TABLE: tables.Playlists.table.tableName,
      STRATO_IDEMPOTENCY_TABLE: tables.Idempotency.table.tableName,
      STRATO_UPLOADS_TABLE: tables.Uploads.table.tableName,
      STRATO_USERS_TABLE: tables.Users.table.tableName,
      STRATO_CONNECTIONS_TABLE: tables.Connections.table.tableName,
      STRATO_TELEMETRY_TABLE: tables.Telemetry.table.tableName,
      STRATO_MEDIA_BUCKET: this.media.mediaBucket.bucketName,
      STRATO_UPLOADS_BUCKET: this.media.uploadsBucket.bucketName,
      STRATO_PROCESS_QUEUE_URL: this.processing.queue.queueUrl,
      STRATO_PROCESS_RETRY_SECS: String(this.processing.retryAfter.toSeconds()),
      STRATO_CDN_URL: `https://${this.media.distribution.distributionDomainName}`,
      STRATO_CDN_KEY_PAIR_ID: this.media.signingKey.publicKey.publicKeyId,
      STRATO_CDN_PRIVATE_KEY_SECRET_ARN: this.media.signingKey.secret.secretArn,
      STRATO_USER_POOL_ID: this.identity.userPool.userPoolId,
      STRATO_CLIENT_ID: this.identity.client.userPoolClientId,
      STRATO_LIVE_URL: this.live.stage.url,
      STRATO_LIVE_CALLBACK_URL: this.live.stage.callbackUrl,
    };
    for (const f of this.functions) {
      for (const name of FUNCTION_ENV[f.bin]) {
        if (!(name in ENV)) throw new Error(`${f.bin}: ${name} is not a variable of environment.ts`);
        f.fn.addEnvironment(name, values[name]);
      }
    }
  }
}
