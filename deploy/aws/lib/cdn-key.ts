// Owns: the CDN's signing key. A custom resource made at deploy time generates an RSA key
// pair in a small function (Node.js, crypto.generateKeyPairSync), writes the private key into
// a Secrets Manager secret and returns only the public key, which becomes the CloudFront
// public key of the trusted key group. Neither key is ever in the template. The secret is
// created with a random placeholder (CloudFormation makes no secret without a value) that the
// custom resource replaces before anything can read it. The key is made once, when the
// resource is created, and a deploy that changes nothing here keeps it. Beware: a change to
// the secret's own settings (its generated placeholder) lets CloudFormation write a new
// placeholder over the key without running the key maker again, which would break every
// /media grant until the resource is replaced; leave those settings alone.
import { CustomResource, Duration } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";

// Runs in Lambda's Node.js runtime, which ships the AWS SDK v3. Answers CloudFormation
// itself (a PUT to the presigned ResponseURL), so no provider framework is needed.
const HANDLER = `
const crypto = require("node:crypto");
const sm = require("@aws-sdk/client-secrets-manager");
const client = new sm.SecretsManagerClient({});

async function privateKey(secretId, reuse) {
  if (reuse) {
    try {
      const held = await client.send(new sm.GetSecretValueCommand({ SecretId: secretId }));
      return crypto.createPrivateKey(held.SecretString);
    } catch (e) {
      console.log("no key to keep, making one:", e.name);
    }
  }
  const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = pair.privateKey.export({ type: "pkcs8", format: "pem" });
  await client.send(new sm.PutSecretValueCommand({ SecretId: secretId, SecretString: pem }));
  return pair.privateKey;
}

async function answer(event, status, reason, data) {
  const body = JSON.stringify({
    Status: status, Reason: reason, PhysicalResourceId: event.ResourceProperties.SecretArn,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  const res = await fetch(event.ResponseURL, { method: "PUT", body, headers: { "content-type": "" } });
  if (!res.ok) throw new Error("CloudFormation answered " + res.status);
}

exports.handler = async (event) => {
  try {
    if (event.RequestType === "Delete") return await answer(event, "SUCCESS", "kept", {});
    const key = await privateKey(event.ResourceProperties.SecretArn, event.RequestType === "Update");
    const publicPem = crypto.createPublicKey(key).export({ type: "spki", format: "pem" });
    await answer(event, "SUCCESS", "ok", { PublicKeyPem: publicPem });
  } catch (e) {
    console.log("failed:", e.name, e.message);
    await answer(event, "FAILED", String(e.message).slice(0, 200), {});
  }
};
`;

export class CdnSigningKey extends Construct {
  readonly secret: secretsmanager.Secret;
  readonly publicKey: cloudfront.PublicKey;
  readonly keyGroup: cloudfront.KeyGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, "PrivateKey", {
      description: "Strato: the CloudFront signing key (PKCS#8 PEM), written by the stack",
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    const logGroup = new logs.LogGroup(this, "MakerLogs", { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, "MakerRole", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: "Strato CDN key maker: its secret only",
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
        resources: [this.secret.secretArn],
      }),
    );
    const maker = new lambda.Function(this, "Maker", {
      description: "Strato: makes the CDN signing key at deploy time",
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      handler: "index.handler",
      code: lambda.Code.fromInline(HANDLER),
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      timeout: Duration.minutes(1),
      memorySize: 256,
    });
    const made = new CustomResource(this, "Pair", {
      serviceToken: maker.functionArn,
      resourceType: "Custom::StratoCdnSigningKey",
      properties: { SecretArn: this.secret.secretArn },
    });
    // The maker's statements must be in place before it runs.
    made.node.addDependency(role);
    this.publicKey = new cloudfront.PublicKey(this, "Public", {
      encodedKey: made.getAttString("PublicKeyPem"),
      comment: "Strato: the key grants are signed with",
    });
    this.keyGroup = new cloudfront.KeyGroup(this, "Group", {
      items: [this.publicKey],
      comment: "Strato: the keys /media/* trusts",
    });
  }
}
