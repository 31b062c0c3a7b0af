// Owns: the `/v1` API. An HTTP API with one `$default` route to strato-api and no
// authorizer: the function checks tokens as devcloud does, so every answer, a 401 included,
// is the contract's (`application/problem+json`), and GET /v1/config and unknown paths reach
// it too. Also everything strato-api may touch, statement by statement.
import { Duration } from "aws-cdk-lib";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Construct } from "constructs";
import type { Data } from "./data.js";
import { StratoFunction } from "./functions.js";
import type { Identity } from "./identity.js";
import type { Media } from "./media.js";
import type { Processing } from "./processing.js";

export interface ApiProps {
  lambdaDir: string;
  data: Data;
  media: Media;
  identity: Identity;
  processing: Processing;
}

export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly handler: StratoFunction;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { data, media, identity, processing } = props;
    this.handler = new StratoFunction(this, "Handler", {
      bin: "strato-api",
      lambdaDir: props.lambdaDir,
      description: "Strato: the /v1 API",
      memorySize: 1024,
      // API Gateway gives up on an integration after 30 s.
      timeout: Duration.seconds(29),
      // A cover a listener sends is read and resized by ffmpeg, as processing's are.
      layers: [props.processing.ffmpeg],
    });
    this.httpApi = new apigwv2.HttpApi(this, "Http", {
      description: "Strato: /v1",
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration("Handler", this.handler.fn),
    });
    this.stage = new apigwv2.HttpStage(this, "Stage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: 500, burstLimit: 1000 },
    });
    this.grant(data, media, identity, processing);
  }

  private grant(data: Data, media: Media, identity: Identity, processing: Processing): void {
    const { tables } = data;
    const h = this.handler;
    // A playlist write: META, blocks, SEQ, the change record and the idempotency record in one
    // transaction; blocks of a deleted playlist removed afterwards.
    h.allowTable(tables.Playlists, {
      actions: [
        "GetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
      ],
      transactions: true,
    });
    h.allowTable(tables.Idempotency, { actions: ["GetItem", "PutItem"], transactions: true });
    h.allowTable(tables.Uploads, {
      actions: ["GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"],
      indexes: ["by_owner", "public", "public_by_owner", "by_album", "by_artist"],
      transactions: true,
    });
    // Profiles, the quota counter (in the upload's transaction) and sign-out times.
    h.allowTable(tables.Users, { actions: ["GetItem", "PutItem", "UpdateItem"], transactions: true });
    // A batch id put on the condition it is new, read when a resend finds it, marked stored
    // once its batch is in S3 (strato_aws::telemetry).
    h.allowTable(tables.Telemetry, { actions: ["GetItem", "PutItem", "UpdateItem"] });

    // Multipart uploads: it starts, presigns parts of, lists, completes and aborts them.
    h.allowObjects(
      media.uploadsBucket,
      ["uploads/"],
      ["PutObject", "GetObject", "AbortMultipartUpload", "ListMultipartUploadParts"],
    );
    h.allowObjects(media.uploadsBucket, ["idempotency/"], ["PutObject", "GetObject"]);
    h.allowObjects(media.uploadsBucket, ["telemetry/"], ["PutObject"]);
    h.allowObjects(media.mediaBucket, ["catalog/"], ["GetObject"]);
    // Without ListBucket S3 answers a missing catalog with 403, not 404: a stack whose
    // catalog/ is still empty must start (and serve listeners' uploads only).
    h.allowListing(media.mediaBucket, ["catalog/"]);
    h.allowObjects(media.mediaBucket, ["art/"], ["PutObject"]);

    h.allow(["sqs:SendMessage"], [processing.queue.queueArn]);
    h.allow(["secretsmanager:GetSecretValue"], [media.signingKey.secret.secretArn]);
    h.allow(["cognito-idp:AdminUserGlobalSignOut"], [identity.userPool.userPoolArn]);
  }
}
