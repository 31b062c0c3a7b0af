// Owns: sign-in. A Cognito user pool listeners join by themselves with their email, the
// desktop app's client (public: no secret; SRP, password and refresh flows; no OAuth, the app
// signs in through the API calls devcloud's moto also answers) and the `admins` group the
// service reads from `cognito:groups`. Tokens are checked in the functions, not here.
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, "Users", {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: { minLength: 10, requireSymbols: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient("Desktop", {
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      // Signing out everywhere is remembered for 24 h (Users SIGNOUT, its TTL): access tokens
      // must not outlive that.
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.userPool.addGroup("Admins", { groupName: "admins", description: "Strato's moderators" });
  }
}
