// The tables as section 3 of the plan designs them, checked against test/tables.json (which
// the Rust side reads too, so moto's tables are the deployed ones), and the streams the
// fan-out reads with their filters.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TABLE_NAMES, type TableName } from "../lib/data.js";
import { logicalId, resources } from "./helpers.js";
import { strato } from "./stack.js";

type Props = Record<string, any>;
const { stack, template } = strato();
const all = resources(template);
const tableResource = (name: TableName) => all[logicalId(stack, stack.data.tables[name].table)];
const expected = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "tables.json"), "utf8"));

/** A table of the template in the shape of tables.json. */
function asDesigned(p: Props) {
  const types = new Map<string, string>(
    p.AttributeDefinitions.map((a: Props) => [a.AttributeName, a.AttributeType]),
  );
  const keys = (schema: Props[]) => {
    const key = (kind: string) => {
      const k = schema.find((s) => s.KeyType === kind);
      return k ? { name: k.AttributeName, type: types.get(k.AttributeName) } : null;
    };
    return { partition_key: key("HASH"), sort_key: key("RANGE") };
  };
  return {
    ...keys(p.KeySchema),
    indexes: (p.GlobalSecondaryIndexes ?? []).map((i: Props) => ({
      name: i.IndexName,
      ...keys(i.KeySchema),
      projection: i.Projection.ProjectionType,
      include: i.Projection.NonKeyAttributes ?? null,
    })),
    stream: p.StreamSpecification?.StreamViewType ?? null,
    ttl: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : null,
  };
}

describe("DynamoDB tables", () => {
  it("are the six of tables.json, no more", () => {
    expect(Object.keys(expected).sort()).toEqual([...TABLE_NAMES].sort());
    template.resourceCountIs("AWS::DynamoDB::Table", TABLE_NAMES.length);
  });

  it.each(TABLE_NAMES)("%s has the keys, indexes, stream and TTL of tables.json", (name) => {
    expect(asDesigned(tableResource(name).Properties as Props)).toEqual(expected[name]);
  });

  it.each(TABLE_NAMES)("%s is on demand, encrypted with the AWS managed key, and kept", (name) => {
    const t = tableResource(name);
    const p = t.Properties as Props;
    expect(p.BillingMode).toBe("PAY_PER_REQUEST");
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
    expect(p.TableName).toBeUndefined();
    expect(t.DeletionPolicy).toBe("Retain");
    expect(t.UpdateReplacePolicy).toBe("Retain");
  });

  it("keep point-in-time recovery for Playlists, Uploads and Users only", () => {
    const withRecovery = TABLE_NAMES.filter(
      (name) =>
        (tableResource(name).Properties as Props).PointInTimeRecoverySpecification
          ?.PointInTimeRecoveryEnabled,
    );
    expect(withRecovery).toEqual(["Playlists", "Uploads", "Users"]);
  });
});

describe("the fan-out's streams", () => {
  const mappings = Object.values(all)
    .filter((r) => r.Type === "AWS::Lambda::EventSourceMapping")
    .map((r) => r.Properties as Props)
    .filter((p) => p.EventSourceArn["Fn::GetAtt"]?.[1] === "StreamArn");
  const fanout = logicalId(stack, stack.live.fanout.fn);
  const failures = logicalId(stack, stack.live.fanoutFailures);
  const of = (name: TableName) => {
    const id = logicalId(stack, stack.data.tables[name].table);
    const found = mappings.filter((m) => m.EventSourceArn["Fn::GetAtt"][0] === id);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const patterns = (m: Props) => (m.FilterCriteria?.Filters ?? []).map((f: Props) => JSON.parse(f.Pattern));

  it("are read from Playlists, Uploads and Users, by strato-fanout only", () => {
    expect(mappings).toHaveLength(3);
    for (const m of mappings) expect(m.FunctionName).toEqual({ Ref: fanout });
  });

  it("bisect a failing batch, retry 3 times, then send it to the failures queue", () => {
    for (const m of mappings) {
      expect(m.BisectBatchOnFunctionError).toBe(true);
      expect(m.MaximumRetryAttempts).toBe(3);
      expect(m.DestinationConfig.OnFailure.Destination).toEqual({ "Fn::GetAtt": [failures, "Arn"] });
      expect(m.StartingPosition).toBe("LATEST");
    }
  });

  it("take only playlist change records as they are inserted", () => {
    expect(patterns(of("Playlists"))).toEqual([
      { eventName: ["INSERT"], dynamodb: { Keys: { sk: { S: [{ prefix: "C#" }] } } } },
    ]);
  });

  it("take every change of an upload", () => {
    expect(patterns(of("Uploads"))).toEqual([]);
  });

  it("take a sign-out written or renewed, not its expiry", () => {
    expect(patterns(of("Users"))).toEqual([
      { eventName: ["INSERT", "MODIFY"], dynamodb: { Keys: { sk: { S: ["SIGNOUT"] } } } },
    ]);
  });
});
