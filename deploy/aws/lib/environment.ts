// Owns: the environment variables the Rust functions read, by name, and which function gets
// which. This is the one place they are named; the stack supplies the values
// (strato-stack.ts), the README's table lists them and a test holds the two to each other.
// The Rust side (crates/aws) reads exactly these names.

/** The five Rust functions, by the name of their binary (crates/aws's bins). */
export const BINS = [
  "strato-api",
  "strato-process",
  "strato-collect",
  "strato-live",
  "strato-fanout",
] as const;
export type Bin = (typeof BINS)[number];

/** Every variable a function is given, each with what its value is. */
export const ENV = {
  STRATO_REGION: "the stack's region (also Lambda's AWS_REGION; named here so aws-local sets the same)",
  STRATO_PLAYLISTS_TABLE: "DynamoDB table Playlists",
  STRATO_IDEMPOTENCY_TABLE: "DynamoDB table Idempotency",
  STRATO_UPLOADS_TABLE: "DynamoDB table Uploads",
  STRATO_USERS_TABLE: "DynamoDB table Users",
  STRATO_CONNECTIONS_TABLE: "DynamoDB table Connections",
  STRATO_TELEMETRY_TABLE: "DynamoDB table Telemetry",
  STRATO_MEDIA_BUCKET: "S3 bucket behind the CDN (media/, art/, catalog/)",
  STRATO_UPLOADS_BUCKET: "S3 bucket of originals (uploads/, idempotency/, telemetry/)",
  STRATO_PROCESS_QUEUE_URL: "SQS queue strato-process reads",
  STRATO_PROCESS_RETRY_SECS: "seconds a job strato-process could not finish waits, times its receive count",
  STRATO_CDN_URL: "https://<distribution domain>, no trailing slash",
  STRATO_CDN_KEY_PAIR_ID: "the CloudFront public key id (Key-Pair-Id)",
  STRATO_CDN_PRIVATE_KEY_SECRET_ARN: "Secrets Manager secret: the signing key, PKCS#8 PEM",
  STRATO_USER_POOL_ID: "Cognito user pool id (the issuer is built from it and the region)",
  STRATO_CLIENT_ID: "Cognito app client id",
  STRATO_LIVE_URL: "wss:// URL of the WebSocket API's stage, for clients",
  STRATO_LIVE_CALLBACK_URL: "https:// @connections endpoint of that stage, for PostToConnection",
} as const;
export type EnvName = keyof typeof ENV;

/** Which function gets which variables: nothing more, so each reads only what it needs. */
export const FUNCTION_ENV: Record<Bin, readonly EnvName[]> = {
  "strato-api": [
    "STRATO_REGION",
    "STRATO_PLAYLISTS_TABLE",
    "STRATO_IDEMPOTENCY_TABLE",
    "STRATO_UPLOADS_TABLE",
    "STRATO_USERS_TABLE",
    "STRATO_TELEMETRY_TABLE",
    "STRATO_MEDIA_BUCKET",
    "STRATO_UPLOADS_BUCKET",
    "STRATO_PROCESS_QUEUE_URL",
    "STRATO_CDN_URL",
    "STRATO_CDN_KEY_PAIR_ID",
    "STRATO_CDN_PRIVATE_KEY_SECRET_ARN",
    "STRATO_USER_POOL_ID",
    "STRATO_CLIENT_ID",
    "STRATO_LIVE_URL",
  ],
  "strato-process": [
    "STRATO_REGION",
    "STRATO_UPLOADS_TABLE",
    "STRATO_MEDIA_BUCKET",
    "STRATO_UPLOADS_BUCKET",
    "STRATO_PROCESS_QUEUE_URL",
    "STRATO_PROCESS_RETRY_SECS",
  ],
  "strato-collect": [
    "STRATO_REGION",
    "STRATO_PLAYLISTS_TABLE",
    "STRATO_UPLOADS_TABLE",
    "STRATO_USERS_TABLE",
    "STRATO_MEDIA_BUCKET",
    "STRATO_UPLOADS_BUCKET",
  ],
  "strato-live": [
    "STRATO_REGION",
    "STRATO_USERS_TABLE",
    "STRATO_CONNECTIONS_TABLE",
    "STRATO_USER_POOL_ID",
    "STRATO_CLIENT_ID",
    "STRATO_LIVE_CALLBACK_URL",
  ],
  "strato-fanout": ["STRATO_REGION", "STRATO_CONNECTIONS_TABLE", "STRATO_LIVE_CALLBACK_URL"],
};
