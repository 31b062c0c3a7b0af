// Owns: the live channel. A WebSocket API whose $connect is authorised by strato-live as a
// REQUEST authorizer (the Authorization header, checked as the HTTP API's function checks
// it), and whose $connect, $disconnect and $default routes are strato-live too (connection
// rows, devices, ping). strato-fanout reads the tables' streams, filtered to what listeners
// are told (playlist change records, every upload change, a sign-out), and posts to the
// listeners' connections; a batch that keeps failing goes to a queue after 3 retries.
// What API Gateway cannot do as the contract says (close codes, hello, the URL) is in the
// README, section "What differs from devcloud".
import { Duration } from "aws-cdk-lib";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { WebSocketLambdaAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Data, StratoTable } from "./data.js";
import { StratoFunction } from "./functions.js";

export interface LiveProps {
  lambdaDir: string;
  data: Data;
}

/** Which stream records reach strato-fanout, per table. */
const STREAM_FILTERS = {
  // Change records only (sk C#<seq>), as they are written.
  Playlists: {
    eventName: lambda.FilterRule.isEqual("INSERT"),
    dynamodb: { Keys: { sk: { S: lambda.FilterRule.beginsWith("C#") } } },
  },
  // A sign-out written or renewed; not its TTL removal.
  Users: {
    eventName: lambda.FilterRule.or("INSERT", "MODIFY"),
    dynamodb: { Keys: { sk: { S: lambda.FilterRule.isEqual("SIGNOUT") } } },
  },
} as const;

export class Live extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly live: StratoFunction;
  readonly fanout: StratoFunction;
  readonly fanoutFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: LiveProps) {
    super(scope, id);
    const { data, lambdaDir } = props;
    this.live = new StratoFunction(this, "Live", {
      bin: "strato-live",
      lambdaDir,
      description: "Strato: the live channel's authorizer and routes",
      memorySize: 256,
      timeout: Duration.seconds(10),
    });
    const route = (name: string) => ({ integration: new WebSocketLambdaIntegration(name, this.live.fn) });
    this.api = new apigwv2.WebSocketApi(this, "Api", {
      description: "Strato: live events",
      connectRouteOptions: {
        ...route("Connect"),
        authorizer: new WebSocketLambdaAuthorizer("Authorizer", this.live.fn, {
          identitySource: ["route.request.header.Authorization"],
        }),
      },
      disconnectRouteOptions: route("Disconnect"),
      // Not "Default": CDK leaves a construct of that id out of logical ids.
      defaultRouteOptions: route("AnyFrame"),
    });
    this.stage = new apigwv2.WebSocketStage(this, "Stage", {
      webSocketApi: this.api,
      stageName: "live",
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
    });
    this.stage.grantManagementApiAccess(this.live.fn);
    this.live.allowTable(data.tables.Connections, {
      actions: ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"],
      indexes: ["by_user"],
    });
    // The authorizer's check of a sign-out everywhere.
    this.live.allowTable(data.tables.Users, { actions: ["GetItem"] });

    this.fanoutFailures = new sqs.Queue(this, "FanoutFailures", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.fanout = new StratoFunction(this, "Fanout", {
      bin: "strato-fanout",
      lambdaDir,
      description: "Strato: tells listeners' connections what changed",
      memorySize: 256,
      timeout: Duration.minutes(1),
    });
    this.addStream(data.tables.Playlists, STREAM_FILTERS.Playlists);
    this.addStream(data.tables.Uploads);
    this.addStream(data.tables.Users, STREAM_FILTERS.Users);
    this.stage.grantManagementApiAccess(this.fanout.fn);
    // A listener's connections; every connection for track.unavailable; gone ones removed.
    this.fanout.allowTable(data.tables.Connections, {
      actions: ["Query", "Scan", "DeleteItem"],
      indexes: ["by_user"],
    });
  }

  private addStream(table: StratoTable, filter?: Record<string, unknown>): void {
    this.fanout.fn.addEventSource(
      new DynamoEventSource(table.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 3,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.fanoutFailures),
        filters: filter ? [lambda.FilterCriteria.filter(filter)] : undefined,
      }),
    );
  }
}
