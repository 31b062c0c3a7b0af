// Least privilege, read off the template: every role's statements, one action on one
// resource a row. No action with a wildcard; "*" as a resource only for the actions AWS gives
// no resource-level permission (X-Ray's, and ListStreams, which Lambda's stream reader
// needs); and each function exactly the tables, indexes and key prefixes written here.
import { describe, expect, it } from "vitest";
import { BINS, type Bin } from "../lib/environment.js";
import { byResource, logicalId, resources, roleGrants } from "./helpers.js";
import { strato } from "./stack.js";

const { stack, template } = strato();
const fn = (bin: Bin) => stack.functions.find((f) => f.bin === bin)!;
const grantsOf = (bin: Bin) => roleGrants(template, stack, logicalId(stack, fn(bin).role));

/** Actions that take no resource but "*" (the service authorization reference says so). */
const NO_RESOURCE_LEVEL = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "dynamodb:ListStreams",
]);
const XRAY = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"];
const LOGS = ["logs:CreateLogStream", "logs:PutLogEvents"];
const MANAGE_CONNECTIONS =
  "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:Live/Api/live/*/@connections/*";
const STREAM_READ = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"];

/** What each function may do, and nothing more. */
const EXPECTED: Record<Bin, Record<string, string[]>> = {
  "strato-api": {
    "*": XRAY,
    "Api/Handler/Logs": LOGS,
    "Data/Idempotency": ["dynamodb:GetItem", "dynamodb:PutItem"],
    "Data/Playlists": [
      "dynamodb:BatchWriteItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ],
    "Data/Telemetry": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    "Data/Uploads": [
      "dynamodb:BatchGetItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ],
    "Data/Uploads/index/by_album": ["dynamodb:Query"],
    "Data/Uploads/index/by_artist": ["dynamodb:Query"],
    "Data/Uploads/index/by_owner": ["dynamodb:Query"],
    "Data/Uploads/index/public": ["dynamodb:Query"],
    "Data/Uploads/index/public_by_owner": ["dynamodb:Query"],
    "Data/Users": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    "Identity/Users": ["cognito-idp:AdminUserGlobalSignOut"],
    "Media/MediaBucket": ["s3:ListBucket"],
    "Media/MediaBucket/art/*": ["s3:PutObject"],
    "Media/MediaBucket/catalog/*": ["s3:GetObject"],
    "Media/SigningKey/PrivateKey": ["secretsmanager:GetSecretValue"],
    "Media/UploadsBucket/idempotency/*": ["s3:GetObject", "s3:PutObject"],
    "Media/UploadsBucket/telemetry/*": ["s3:PutObject"],
    "Media/UploadsBucket/uploads/*": [
      "s3:AbortMultipartUpload",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ],
    "Processing/Queue": ["sqs:SendMessage"],
  },
  "strato-process": {
    "*": XRAY,
    "Data/Uploads": ["dynamodb:GetItem", "dynamodb:PutItem"],
    "Media/MediaBucket": ["s3:ListBucket"],
    "Media/MediaBucket/art/*": ["s3:PutObject"],
    "Media/MediaBucket/media/*": ["s3:DeleteObject", "s3:PutObject"],
    "Media/UploadsBucket/uploads/*": ["s3:GetObject"],
    "Processing/Process/Logs": LOGS,
    "Processing/Queue": [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
    ],
  },
  "strato-collect": {
    "*": XRAY,
    "Data/Playlists": ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:Query"],
    "Data/Uploads": ["dynamodb:Scan"],
    "Media/MediaBucket": ["s3:ListBucket"],
    "Media/MediaBucket/art/*": ["s3:DeleteObject"],
    "Media/MediaBucket/media/*": ["s3:DeleteObject"],
    "Media/UploadsBucket": ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
    "Media/UploadsBucket/uploads/*": ["s3:AbortMultipartUpload", "s3:DeleteObject"],
    "Processing/Collect/Logs": LOGS,
  },
  "strato-live": {
    "*": XRAY,
    [MANAGE_CONNECTIONS]: ["execute-api:ManageConnections"],
    "Data/Connections": [
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ],
    "Data/Connections/index/by_user": ["dynamodb:Query"],
    "Data/Users": ["dynamodb:GetItem"],
    "Live/Live/Logs": LOGS,
  },
  "strato-fanout": {
    "*": ["dynamodb:ListStreams", ...XRAY],
    [MANAGE_CONNECTIONS]: ["execute-api:ManageConnections"],
    "Data/Connections": ["dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan"],
    "Data/Connections/index/by_user": ["dynamodb:Query"],
    "Data/Playlists#StreamArn": STREAM_READ,
    "Data/Uploads#StreamArn": STREAM_READ,
    "Data/Users#StreamArn": STREAM_READ,
    "Live/Fanout/Logs": LOGS,
    "Live/FanoutFailures": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
  },
};

const roles = Object.entries(resources(template)).filter(([, r]) => r.Type === "AWS::IAM::Role");

describe("every role", () => {
  it("is one of the five functions' or the key maker's", () => {
    const known = [
      ...stack.functions.map((f) => logicalId(stack, f.role)),
      ...Object.entries(resources(template))
        .filter(([, r]) => r.Type === "AWS::Lambda::Function")
        .map(([, r]) => (r.Properties!.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0]),
    ];
    for (const [id] of roles) expect(known).toContain(id);
    expect(roles).toHaveLength(6);
  });

  it.each(roles.map(([id]) => id))("%s: no managed or inline policy, no wildcard action", (id) => {
    const role = resources(template)[id].Properties!;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toBeUndefined();
    for (const g of roleGrants(template, stack, id)) {
      expect(g.action, `${g.action} on ${g.resource}`).not.toContain("*");
      if (g.resource === "*") expect(NO_RESOURCE_LEVEL, g.action).toContain(g.action);
    }
  });

  it("of the key maker reads and writes its own secret only", () => {
    const maker = roles.find(([id]) => id.startsWith("MediaSigningKeyMakerRole"))![0];
    expect(byResource(roleGrants(template, stack, maker))).toEqual({
      "*": XRAY,
      "Media/SigningKey/MakerLogs": LOGS,
      "Media/SigningKey/PrivateKey": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
    });
  });
});

describe.each(BINS)("%s", (bin) => {
  it("may do exactly what it needs", () => {
    expect(byResource(grantsOf(bin))).toEqual(EXPECTED[bin]);
  });

  it("lists a bucket only under its own prefixes", () => {
    for (const g of grantsOf(bin).filter((x) => x.action === "s3:ListBucket")) {
      const prefixes = (g.condition as { StringLike: { "s3:prefix": string[] } }).StringLike["s3:prefix"];
      const own = Object.keys(EXPECTED[bin])
        .filter((r) => r.startsWith(`${g.resource}/`))
        .map((r) => r.slice(g.resource.length + 1));
      expect(prefixes.length).toBeGreaterThan(0);
      for (const prefix of prefixes) expect(own).toContain(prefix);
    }
  });
});
