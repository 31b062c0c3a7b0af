// Owns: the six DynamoDB tables of the design (docs/design/aws-deployment-plan.md, section 3):
// their keys, indexes, streams and TTL attributes. On demand, encrypted with the AWS managed
// key, kept when the stack goes (RETAIN), point-in-time recovery where losing a day would
// lose listeners' work (Playlists, Uploads, Users). Names are CloudFormation's; functions
// learn them from their environment. test/tables.json says the same keys, and the Rust side
// creates the same tables in moto from it.
import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";

export const TABLE_NAMES = [
  "Playlists",
  "Idempotency",
  "Uploads",
  "Users",
  "Connections",
  "Telemetry",
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** A table, and the operations the functions were granted on it (ops.ts alarms on those). */
export class StratoTable {
  readonly operations = new Set<dynamodb.Operation>();
  constructor(
    readonly name: TableName,
    readonly table: dynamodb.Table,
  ) {}
}

const S = dynamodb.AttributeType.STRING;
const key = (name: string): dynamodb.Attribute => ({ name, type: S });

interface Index {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** Non-key attributes copied into the index; absent: all of them. */
  include?: string[];
}

interface TableSpec {
  partitionKey: string;
  sortKey?: string;
  indexes?: Index[];
  stream?: dynamodb.StreamViewType;
  ttl?: string;
  pointInTimeRecovery: boolean;
}

const SPECS: Record<TableName, TableSpec> = {
  // META, blocks of entries, per listener their playlist summaries, change counter and
  // change records, and GC marks of deleted playlists whose blocks are being swept.
  Playlists: {
    partitionKey: "pk",
    sortKey: "sk",
    // No index: a listener's playlist list is a summary item per playlist under their own
    // partition (U#<sub>/P#...), written in each write's transaction and read strongly
    // consistent, which an index (eventually consistent) could not give.
    // The fan-out reads change records (sk C#...) from it: new images are enough.
    stream: dynamodb.StreamViewType.NEW_IMAGE,
    pointInTimeRecovery: true,
  },
  // Stored responses per owner and key; replay is checked against created_at in code, TTL
  // only clears them (up to days late).
  Idempotency: { partitionKey: "pk", ttl: "expires_at", pointInTimeRecovery: false },
  // Upload records and KEY#<sub>#<key> items; the GSIs are set only while they apply.
  Uploads: {
    partitionKey: "id",
    indexes: [
      { name: "by_owner", partitionKey: "owner_live", sortKey: "created" },
      { name: "public", partitionKey: "public_part", sortKey: "published" },
      { name: "public_by_owner", partitionKey: "public_owner", sortKey: "published" },
      { name: "by_album", partitionKey: "album_id", sortKey: "track_order" },
      { name: "by_artist", partitionKey: "artist_id", sortKey: "track_order" },
    ],
    // Old and new: `track.unavailable` is told when the old image was playable by others.
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    pointInTimeRecovery: true,
  },
  // PROFILE (name, used_bytes) and SIGNOUT (at) per Cognito sub.
  Users: {
    partitionKey: "sub",
    sortKey: "sk",
    stream: dynamodb.StreamViewType.NEW_IMAGE,
    ttl: "expires_at",
    pointInTimeRecovery: true,
  },
  // One item per open WebSocket connection, with its device.
  Connections: {
    partitionKey: "connection_id",
    indexes: [{ name: "by_user", partitionKey: "user", sortKey: "connection_id" }],
    ttl: "expires_at",
    pointInTimeRecovery: false,
  },
  // Batch ids seen in the last 31 days (the batches themselves go to S3).
  Telemetry: { partitionKey: "batch_id", ttl: "expires_at", pointInTimeRecovery: false },
};

export class Data extends Construct {
  readonly tables: Record<TableName, StratoTable>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const tables = {} as Record<TableName, StratoTable>;
    for (const name of TABLE_NAMES) tables[name] = new StratoTable(name, this.table(name, SPECS[name]));
    this.tables = tables;
  }

  private table(name: TableName, spec: TableSpec): dynamodb.Table {
    const table = new dynamodb.Table(this, name, {
      partitionKey: key(spec.partitionKey),
      sortKey: spec.sortKey ? key(spec.sortKey) : undefined,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: spec.pointInTimeRecovery },
      stream: spec.stream,
      timeToLiveAttribute: spec.ttl,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of spec.indexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: index.include ? dynamodb.ProjectionType.INCLUDE : dynamodb.ProjectionType.ALL,
        nonKeyAttributes: index.include,
      });
    }
    return table;
  }
}
