// Alarms: two per function (errors, throttles), one per dead-letter queue, the HTTP API's
// 5xx, and DynamoDB's throttled requests and system errors per table over every operation
// the functions' roles allow on it. All of them tell the one SNS topic.
import { describe, expect, it } from "vitest";
import { BINS } from "../lib/environment.js";
import { constructPaths, logicalId, resources, roleGrants } from "./helpers.js";
import { strato } from "./stack.js";

type Props = Record<string, any>;
const { stack, template } = strato();
const all = resources(template);
const alarms = Object.values(all)
  .filter((r) => r.Type === "AWS::CloudWatch::Alarm")
  .map((r) => r.Properties as Props);
const topic = logicalId(stack, stack.ops.topic);
const dimension = (a: Props, name: string) => a.Dimensions?.find((d: Props) => d.Name === name)?.Value;

/** The operations DynamoDB counts, as IAM names them, and those written only in transactions. */
const OPERATIONS = [
  "GetItem",
  "BatchGetItem",
  "Query",
  "Scan",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
];
const TRANSACTIONAL = ["Playlists", "Idempotency", "Uploads", "Users"];

describe("the alarms", () => {
  it("all tell the alarms topic, at the first occurrence", () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" });
    }
  });

  it.each(BINS)("watch %s's errors and throttles", (bin) => {
    const fn = logicalId(stack, stack.functions.find((f) => f.bin === bin)!.fn);
    const own = alarms.filter(
      (a) => a.Namespace === "AWS/Lambda" && dimension(a, "FunctionName")?.Ref === fn,
    );
    expect(own.map((a) => a.MetricName).sort()).toEqual(["Errors", "Throttles"]);
  });

  it("watch both dead-letter queues", () => {
    const watched = alarms
      .filter((a) => a.Namespace === "AWS/SQS" && a.MetricName === "ApproximateNumberOfMessagesVisible")
      .map((a) => dimension(a, "QueueName")["Fn::GetAtt"][0]);
    expect(watched.sort()).toEqual(
      [logicalId(stack, stack.processing.deadLetters), logicalId(stack, stack.live.fanoutFailures)].sort(),
    );
  });

  it("watch the HTTP API's 5xx", () => {
    const api = alarms.filter((a) => a.Namespace === "AWS/ApiGateway");
    expect(api).toHaveLength(1);
    expect(api[0]).toMatchObject({ MetricName: "5xx", Statistic: "Sum" });
    expect(dimension(api[0], "ApiId")).toEqual({ Ref: logicalId(stack, stack.api.httpApi) });
  });

  it("watch every table's throttled requests and system errors over the operations its users may call", () => {
    const paths = constructPaths(stack);
    const grants = stack.functions.flatMap((f) => roleGrants(template, stack, logicalId(stack, f.role)));
    for (const [name, t] of Object.entries(stack.data.tables)) {
      const id = logicalId(stack, t.table);
      const granted = grants
        .filter((g) => g.resource === paths.get(id) && g.action.startsWith("dynamodb:"))
        .map((g) => g.action.slice("dynamodb:".length))
        .filter((op) => OPERATIONS.includes(op));
      if (TRANSACTIONAL.includes(name)) granted.push("TransactWriteItems");
      const expected = [...new Set(granted)].sort();
      for (const metricName of ["ThrottledRequests", "SystemErrors"]) {
        const watching = alarms.filter((a) =>
          (a.Metrics ?? []).some(
            (m: Props) =>
              m.MetricStat?.Metric.MetricName === metricName &&
              dimension(m.MetricStat.Metric, "TableName")?.Ref === id,
          ),
        );
        expect(watching, `${name} ${metricName}`).toHaveLength(1);
        const operations = watching[0].Metrics.filter((m: Props) => m.MetricStat).map((m: Props) =>
          dimension(m.MetricStat.Metric, "Operation"),
        );
        expect(operations.sort(), `${name} ${metricName}`).toEqual(expected);
        expect(watching[0].Metrics.filter((m: Props) => m.ReturnData !== false)).toHaveLength(1);
      }
    }
  });

  it("are no more than those", () => {
    const tables = Object.keys(stack.data.tables).length;
    expect(alarms).toHaveLength(2 * BINS.length + 2 + 1 + 2 * tables);
  });
});
