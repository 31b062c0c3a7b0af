// Owns: the shape every Rust function shares (a provided.al2023 bootstrap built elsewhere,
// X-Ray active tracing, a log group with a retention, a role of its own) and the grants it
// is given, each an explicit statement: named actions only, on named tables, indexes and
// key prefixes. What each function may touch is decided where it is made (api.ts,
// processing.ts, live.ts); this file only says how a grant is written.
import * as fs from "node:fs";
import * as path from "node:path";
import { Duration, Size } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { StratoTable } from "./data.js";
import type { Bin } from "./environment.js";

/** DynamoDB actions a function may be granted (IAM names, without `dynamodb:`). */
export type TableAction =
  | "GetItem"
  | "BatchGetItem"
  | "Query"
  | "Scan"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "BatchWriteItem"
  | "ConditionCheckItem";

/** S3 actions on objects a function may be granted (IAM names, without `s3:`). */
export type ObjectAction =
  "GetObject" | "PutObject" | "DeleteObject" | "AbortMultipartUpload" | "ListMultipartUploadParts";

/** The CloudWatch operation each table action is counted under (ops.ts alarms on them). */
const OPERATION_OF: Partial<Record<TableAction, dynamodb.Operation>> = {
  GetItem: dynamodb.Operation.GET_ITEM,
  BatchGetItem: dynamodb.Operation.BATCH_GET_ITEM,
  Query: dynamodb.Operation.QUERY,
  Scan: dynamodb.Operation.SCAN,
  PutItem: dynamodb.Operation.PUT_ITEM,
  UpdateItem: dynamodb.Operation.UPDATE_ITEM,
  DeleteItem: dynamodb.Operation.DELETE_ITEM,
  BatchWriteItem: dynamodb.Operation.BATCH_WRITE_ITEM,
};

export interface TableGrant {
  actions: readonly TableAction[];
  /** GSIs the function queries: they get Query only (which `actions` must hold). */
  indexes?: readonly string[];
  /**
   * The function writes this table inside `TransactWriteItems`. IAM checks each item's own
   * action (PutItem, UpdateItem, ...), so this changes no statement; it tells ops.ts to
   * alarm on the TransactWriteItems operation too.
   */
  transactions?: boolean;
}

export interface StratoFunctionProps {
  bin: Bin;
  /** The folder holding `<bin>/bootstrap` (cargo lambda's output layout). */
  lambdaDir: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  ephemeralStorageSize?: Size;
  layers?: lambda.ILayerVersion[];
}

/** One Rust function with its own role, log group and tracing. */
export class StratoFunction extends Construct {
  readonly bin: Bin;
  readonly fn: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StratoFunctionProps) {
    super(scope, id);
    this.bin = props.bin;
    const logGroup = new logs.LogGroup(this, "Logs", { retention: logs.RetentionDays.ONE_MONTH });
    // A role of its own rather than the default one with AWSLambdaBasicExecutionRole, whose
    // statements allow writing to every log group of the account.
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.bin}: only what this function does`,
    });
    this.allow(["logs:CreateLogStream", "logs:PutLogEvents"], [logGroup.logGroupArn]);
    this.fn = new lambda.Function(this, "Function", {
      description: props.description,
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.X86_64,
      handler: "bootstrap",
      code: lambda.Code.fromAsset(bootstrapDir(props.lambdaDir, props.bin)),
      role: this.role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ephemeralStorageSize: props.ephemeralStorageSize,
      layers: props.layers,
    });
  }

  /** A statement of named actions on named resources. */
  allow(actions: readonly string[], resources: readonly string[]): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [...resources] }),
    );
  }

  /** The table's own ARN for `actions`, and Query on its listed indexes' ARNs. */
  allowTable(table: StratoTable, grant: TableGrant): void {
    const arn = table.table.tableArn;
    this.allow(
      grant.actions.map((a) => `dynamodb:${a}`),
      [arn],
    );
    if (grant.indexes?.length) {
      if (!grant.actions.includes("Query"))
        throw new Error(`${this.bin}: indexes of ${table.name} without Query`);
      this.allow(
        ["dynamodb:Query"],
        grant.indexes.map((index) => `${arn}/index/${index}`),
      );
    }
    for (const action of grant.actions) {
      const operation = OPERATION_OF[action];
      if (operation) table.operations.add(operation);
    }
    if (grant.transactions) table.operations.add(dynamodb.Operation.TRANSACT_WRITE_ITEMS);
  }

  /** Object actions under key prefixes (each ending in `/`) of one bucket. */
  allowObjects(bucket: s3.IBucket, prefixes: readonly string[], actions: readonly ObjectAction[]): void {
    this.allow(
      actions.map((a) => `s3:${a}`),
      prefixes.map((prefix) => bucket.arnForObjects(`${checkPrefix(prefix)}*`)),
    );
  }

  /** ListBucket on one bucket, only for keys under the prefixes. */
  allowListing(bucket: s3.IBucket, prefixes: readonly string[]): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["s3:ListBucket"],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { "s3:prefix": prefixes.map((p) => `${checkPrefix(p)}*`) } },
      }),
    );
  }
}

function checkPrefix(prefix: string): string {
  if (!/^[a-z]+\/$/.test(prefix)) throw new Error(`a key prefix is a word and a slash, not ${prefix}`);
  return prefix;
}

/**
 * `<lambdaDir>/<bin>`, checked here so a missing build says what to do rather than CDK's
 * "Cannot find asset".
 */
function bootstrapDir(lambdaDir: string, bin: Bin): string {
  const dir = path.resolve(lambdaDir, bin);
  if (!fs.existsSync(path.join(dir, "bootstrap"))) {
    throw new Error(
      `no ${bin}/bootstrap under ${path.resolve(lambdaDir)}: build the functions for ` +
        "provided.al2023 first (scripts/package --aws), or point the context lambdaDir at them",
    );
  }
  return dir;
}
