// Owns: being told when something goes wrong. An SNS topic (subscribe an email to it after
// deploying) and CloudWatch alarms on it: errors and throttles of each function, messages in
// a dead-letter queue, 5xx answers of the HTTP API, and DynamoDB's throttled requests and
// system errors per table, over the operations the functions were granted (each metric an
// alarm reads is charged for, so only those).
import { Duration } from "aws-cdk-lib";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { StratoTable } from "./data.js";
import type { StratoFunction } from "./functions.js";

export interface OpsProps {
  functions: StratoFunction[];
  deadLetterQueues: sqs.IQueue[];
  httpApi: apigwv2.HttpApi;
  tables: StratoTable[];
}

const PERIOD = Duration.minutes(5);

export class Ops extends Construct {
  readonly topic: sns.Topic;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: OpsProps) {
    super(scope, id);
    // Not encrypted: CloudWatch cannot publish to a topic under the AWS managed key (its key
    // policy does not let CloudWatch in), and alarm states are no secret.
    this.topic = new sns.Topic(this, "Alarms", { displayName: "Strato alarms", enforceSSL: true });
    this.action = new actions.SnsAction(this.topic);

    for (const f of props.functions) {
      this.alarm(
        `${f.node.id}Errors`,
        `${f.bin}: an invocation failed`,
        f.fn.metricErrors({ period: PERIOD }),
      );
      this.alarm(
        `${f.node.id}Throttles`,
        `${f.bin}: invocations throttled`,
        f.fn.metricThrottles({ period: PERIOD }),
      );
    }
    props.deadLetterQueues.forEach((queue, i) => {
      this.alarm(
        `DeadLetters${i}`,
        "messages wait in a dead-letter queue: look at them, then redrive or delete",
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }),
      );
    });
    this.alarm("Api5xx", "the HTTP API answered 5xx", props.httpApi.metricServerError({ period: PERIOD }));
    for (const t of props.tables) {
      const operations = [...t.operations].sort();
      if (operations.length === 0) continue;
      this.alarm(
        `${t.name}Throttled`,
        `DynamoDB ${t.name}: requests throttled`,
        t.table.metricThrottledRequestsForOperations({ operations, period: PERIOD }),
      );
      this.alarm(
        `${t.name}SystemErrors`,
        `DynamoDB ${t.name}: system errors`,
        t.table.metricSystemErrorsForOperations({ operations, period: PERIOD }),
      );
    }
  }

  /** An alarm at the first occurrence within 5 minutes; no data is fine. */
  private alarm(id: string, description: string, metric: cloudwatch.IMetric): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `Strato: ${description}`,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
  }
}
