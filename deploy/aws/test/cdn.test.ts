// The buckets and the CDN as docs/api.md's CDN section needs them: /media/* signed by the
// trusted key group only, /art/* public, anything else 404; the bucket read by CloudFront
// alone through Origin Access Control; and the signing key never in the template.
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { logicalId, resources } from "./helpers.js";
import { strato } from "./stack.js";

type Props = Record<string, any>;
const { stack, template } = strato();
const all = resources(template);
const byId = (construct: { node: { defaultChild?: unknown } }) => all[logicalId(stack, construct)];
const distribution = byId(stack.media.distribution).Properties!.DistributionConfig as Props;
const behaviours: Props[] = distribution.CacheBehaviors;
const behaviour = (pattern: string) => {
  const found = behaviours.filter((b) => b.PathPattern === pattern);
  expect(found).toHaveLength(1);
  return found[0];
};
const keyGroup = logicalId(stack, stack.media.signingKey.keyGroup);
const mediaBucket = logicalId(stack, stack.media.mediaBucket);

describe("the CDN", () => {
  it("has /media/* and /art/* and nothing else besides the default", () => {
    expect(behaviours.map((b) => b.PathPattern).sort()).toEqual(["art/*", "media/*"]);
  });

  it("asks /media/* for a signature of the trusted key group, and only /media/*", () => {
    expect(behaviour("media/*").TrustedKeyGroups).toEqual([{ Ref: keyGroup }]);
    const trusting = [...behaviours, distribution.DefaultCacheBehavior].filter((b) => b.TrustedKeyGroups);
    expect(trusting.map((b) => b.PathPattern)).toEqual(["media/*"]);
    expect(behaviours.concat(distribution.DefaultCacheBehavior).some((b) => b.TrustedSigners)).toBe(false);
  });

  it("serves /art/* without a signature", () => {
    expect(behaviour("art/*").TrustedKeyGroups).toBeUndefined();
  });

  it("answers anything else 404 from a function at the edge", () => {
    const associations = distribution.DefaultCacheBehavior.FunctionAssociations;
    expect(associations).toHaveLength(1);
    expect(associations[0].EventType).toBe("viewer-request");
    const fn = all[associations[0].FunctionARN["Fn::GetAtt"][0]];
    expect(fn.Type).toBe("AWS::CloudFront::Function");
    expect(fn.Properties!.FunctionCode).toMatch(/statusCode: 404\b/);
    expect(fn.Properties!.FunctionConfig).toMatchObject({ Runtime: "cloudfront-js-2.0" });
    for (const b of behaviours) expect(b.FunctionAssociations).toBeUndefined();
  });

  it("is HTTPS only and reads GET and HEAD", () => {
    for (const b of [...behaviours, distribution.DefaultCacheBehavior]) {
      expect(b.ViewerProtocolPolicy).toBe("https-only");
      expect(b.AllowedMethods).toEqual(["GET", "HEAD"]);
    }
  });

  it("reads the media bucket through Origin Access Control, signing every request", () => {
    expect(distribution.Origins).toHaveLength(1);
    const origin = distribution.Origins[0];
    expect(origin.DomainName).toEqual({ "Fn::GetAtt": [mediaBucket, "RegionalDomainName"] });
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe("");
    const oac = all[origin.OriginAccessControlId["Fn::GetAtt"][0]];
    expect(oac.Type).toBe("AWS::CloudFront::OriginAccessControl");
    expect(oac.Properties!.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: "s3",
      SigningBehavior: "always",
      SigningProtocol: "sigv4",
    });
  });

  it("is let into the media bucket by its distribution's ARN, to read only", () => {
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: mediaBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: "s3:GetObject",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Resource: { "Fn::Join": ["", [{ "Fn::GetAtt": [mediaBucket, "Arn"] }, "/*"]] },
            Condition: {
              StringEquals: {
                "AWS:SourceArn": {
                  "Fn::Join": [
                    "",
                    [
                      "arn:",
                      { Ref: "AWS::Partition" },
                      ":cloudfront::",
                      { Ref: "AWS::AccountId" },
                      ":distribution/",
                      { Ref: logicalId(stack, stack.media.distribution) },
                    ],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
    // Nothing else is let in: the other statements deny (plain HTTP).
    for (const r of Object.values(all)) {
      if (r.Type !== "AWS::S3::BucketPolicy") continue;
      const allows = (r.Properties!.PolicyDocument as Props).Statement.filter(
        (s: Props) => s.Effect === "Allow",
      );
      for (const s of allows) expect(s.Principal).toEqual({ Service: "cloudfront.amazonaws.com" });
    }
  });
});

describe("the buckets", () => {
  const buckets = Object.entries(all).filter(([, r]) => r.Type === "AWS::S3::Bucket");
  const uploads = byId(stack.media.uploadsBucket).Properties as Props;

  it("are two, private, encrypted with S3's keys, kept, and refuse plain HTTP", () => {
    expect(buckets).toHaveLength(2);
    for (const [id, b] of buckets) {
      const p = b.Properties as Props;
      expect(p.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(p.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
      ]);
      expect(b.DeletionPolicy).toBe("Retain");
      template.hasResourceProperties("AWS::S3::BucketPolicy", {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          ]),
        },
      });
    }
  });

  it("drop parts of uploads never completed after 7 days", () => {
    for (const [, b] of buckets) {
      expect((b.Properties as Props).LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          Status: "Enabled",
        }),
      );
    }
  });

  it("expire stored idempotency bodies after 3 days, and nothing else", () => {
    const expiring = uploads.LifecycleConfiguration.Rules.filter(
      (r: Props) => r.ExpirationInDays !== undefined,
    );
    expect(expiring).toEqual([
      expect.objectContaining({ Prefix: "idempotency/", ExpirationInDays: 3, Status: "Enabled" }),
    ]);
  });
});

describe("the signing key", () => {
  const text = JSON.stringify(template.toJSON());
  const keyNames = (value: unknown, out: Set<string>): Set<string> => {
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        out.add(k);
        keyNames(v, out);
      }
    }
    return out;
  };

  it("is never in the template: no secret value, no PEM", () => {
    expect(keyNames(template.toJSON(), new Set())).not.toContain("SecretString");
    expect(text).not.toMatch(/-----BEGIN/);
  });

  it("is made at deploy time into the secret, and only its public half reaches CloudFront", () => {
    const secret = logicalId(stack, stack.media.signingKey.secret);
    template.hasResourceProperties("AWS::SecretsManager::Secret", {
      GenerateSecretString: Match.objectLike({}),
    });
    template.hasResourceProperties("Custom::StratoCdnSigningKey", { SecretArn: { Ref: secret } });
    const pair = Object.keys(all).find((id) => all[id].Type === "Custom::StratoCdnSigningKey")!;
    template.hasResourceProperties("AWS::CloudFront::PublicKey", {
      PublicKeyConfig: Match.objectLike({ EncodedKey: { "Fn::GetAtt": [pair, "PublicKeyPem"] } }),
    });
    template.hasResourceProperties("AWS::CloudFront::KeyGroup", {
      KeyGroupConfig: Match.objectLike({
        Items: [{ Ref: logicalId(stack, stack.media.signingKey.publicKey) }],
      }),
    });
  });

  it("is made with Node's own key generator, written with PutSecretValue", () => {
    const maker = Object.values(all).find(
      (r) => r.Type === "AWS::Lambda::Function" && (r.Properties as Props).Code.ZipFile,
    )!;
    const code = (maker.Properties as Props).Code.ZipFile as string;
    expect(code).toContain('crypto.generateKeyPairSync("rsa"');
    expect(code).toContain("PutSecretValueCommand");
  });
});
