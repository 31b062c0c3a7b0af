// Owns: where bytes live and how listeners reach them. Two private buckets (public access
// blocked, SSE-S3, TLS only, kept when the stack goes): `media` (published media/<id>/...,
// covers art/<id>-<n>.jpg, the catalog under catalog/) behind CloudFront, and `uploads`
// (originals under uploads/, large idempotency bodies under idempotency/ for 3 days,
// telemetry batches under telemetry/day=.../). CloudFront reads `media` through Origin Access
// Control: /media/* only with a signature of the trusted key group (cdn-key.ts), /art/*
// public, anything else 404 from a CloudFront Function at the edge (docs/api.md, CDN).
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { CdnSigningKey } from "./cdn-key.js";

// Answers every request outside /media/* and /art/* before it reaches the bucket.
const NOT_FOUND = `function handler(event) {
  return { statusCode: 404, statusDescription: "Not Found" };
}`;

function privateBucket(scope: Construct, id: string, lifecycleRules: s3.LifecycleRule[]): s3.Bucket {
  return new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      // Parts of an upload that was never completed nor aborted (a client that gave up).
      { id: "abort-incomplete-multipart", abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ...lifecycleRules,
    ],
  });
}

export class Media extends Construct {
  readonly mediaBucket: s3.Bucket;
  readonly uploadsBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly signingKey: CdnSigningKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.mediaBucket = privateBucket(this, "MediaBucket", []);
    this.uploadsBucket = privateBucket(this, "UploadsBucket", [
      // The API reads a stored body only within 24 h; 3 days leaves room for clocks and retries.
      { id: "idempotency-bodies", prefix: "idempotency/", expiration: Duration.days(3) },
    ]);
    this.signingKey = new CdnSigningKey(this, "SigningKey");

    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.mediaBucket);
    const notFound = new cloudfront.Function(this, "NotFound", {
      comment: "Strato: 404 outside /media/* and /art/*",
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(NOT_FOUND),
    });
    const behaviour: Omit<cloudfront.BehaviorOptions, "origin"> = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
    };
    this.distribution = new cloudfront.Distribution(this, "Cdn", {
      comment: "Strato: media and art",
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // North America and Europe only: the cheapest class (other listeners are served from
      // those edges, a little slower). Change it here for a wider audience.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin,
        ...behaviour,
        functionAssociations: [
          { function: notFound, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        // Signed URLs and cookies; the query string stays out of the cache key
        // (CACHING_OPTIMIZED), so every listener's signature hits the same cached object.
        "media/*": { origin, ...behaviour, trustedKeyGroups: [this.signingKey.keyGroup] },
        "art/*": { origin, ...behaviour },
      },
    });
  }
}
