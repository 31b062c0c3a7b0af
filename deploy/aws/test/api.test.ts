// The front doors: the HTTP API sends everything to strato-api with no authorizer (tokens
// are the function's, so every error is problem+json); the WebSocket API authorises only
// $connect; Cognito as the app signs in; the outputs the README tells listeners to use.
import { describe, expect, it } from "vitest";
import { logicalId, resources } from "./helpers.js";
import { strato } from "./stack.js";

type Props = Record<string, any>;
const { stack, template } = strato();
const all = resources(template);
const ofType = (type: string) => Object.entries(all).filter(([, r]) => r.Type === type);
const httpApi = logicalId(stack, stack.api.httpApi);
const liveApi = logicalId(stack, stack.live.api);
const routesOf = (api: string) =>
  ofType("AWS::ApiGatewayV2::Route")
    .map(([, r]) => r.Properties as Props)
    .filter((p) => p.ApiId.Ref === api);
const integrationOf = (route: Props) => all[route.Target["Fn::Join"][1][1].Ref].Properties as Props;
/** The function a route's integration calls (its ARN, alone or inside the invocation URI). */
const integratedFunction = (route: Props) =>
  JSON.stringify(integrationOf(route).IntegrationUri).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/)?.[1];

describe("the HTTP API", () => {
  it("has one route, $default, to strato-api", () => {
    const routes = routesOf(httpApi);
    expect(routes.map((r) => r.RouteKey)).toEqual(["$default"]);
    expect(integratedFunction(routes[0])).toBe(logicalId(stack, stack.api.handler.fn));
    expect(integrationOf(routes[0])).toMatchObject({
      IntegrationType: "AWS_PROXY",
      PayloadFormatVersion: "2.0",
    });
  });

  it("leaves every request to the function: no authorizer, so GET /v1/config and 401s are its own", () => {
    for (const route of routesOf(httpApi)) {
      expect(route.AuthorizationType ?? "NONE").toBe("NONE");
      expect(route.AuthorizerId).toBeUndefined();
    }
    const authorizers = ofType("AWS::ApiGatewayV2::Authorizer").map(([, r]) => r.Properties as Props);
    expect(authorizers.filter((a) => a.ApiId.Ref === httpApi)).toEqual([]);
  });

  it("deploys itself to the $default stage with a throttle", () => {
    const stages = ofType("AWS::ApiGatewayV2::Stage").map(([, r]) => r.Properties as Props);
    const stage = stages.find((s) => s.ApiId.Ref === httpApi)!;
    expect(stage).toMatchObject({ StageName: "$default", AutoDeploy: true });
    expect(stage.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
  });
});

describe("the WebSocket API", () => {
  const routes = routesOf(liveApi);
  const live = logicalId(stack, stack.live.live.fn);

  it("has $connect, $disconnect and $default, each to strato-live", () => {
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(["$connect", "$default", "$disconnect"]);
    for (const r of routes) expect(integratedFunction(r)).toBe(live);
  });

  it("has one authorizer in the whole stack: strato-live's on $connect, reading Authorization", () => {
    const authorizers = ofType("AWS::ApiGatewayV2::Authorizer");
    expect(authorizers).toHaveLength(1);
    const [id, authorizer] = authorizers[0];
    expect(authorizer.Properties).toMatchObject({
      ApiId: { Ref: liveApi },
      AuthorizerType: "REQUEST",
      IdentitySource: ["route.request.header.Authorization"],
    });
    expect(JSON.stringify(authorizer.Properties!.AuthorizerUri)).toContain(live);
    for (const r of routes) {
      if (r.RouteKey === "$connect") {
        expect(r).toMatchObject({ AuthorizationType: "CUSTOM", AuthorizerId: { Ref: id } });
      } else {
        expect(r.AuthorizationType ?? "NONE").toBe("NONE");
      }
    }
  });
});

describe("sign-in", () => {
  it("lets listeners sign up with their email", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
    });
  });

  it("has one public app client with the SRP, password and refresh flows, and no OAuth", () => {
    const clients = ofType("AWS::Cognito::UserPoolClient");
    expect(clients).toHaveLength(1);
    const p = clients[0][1].Properties as Props;
    expect(p.GenerateSecret).toBe(false);
    expect([...p.ExplicitAuthFlows].sort()).toEqual([
      "ALLOW_REFRESH_TOKEN_AUTH",
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_USER_SRP_AUTH",
    ]);
    expect(p.AllowedOAuthFlowsUserPoolClient).toBe(false);
  });

  it("keeps access tokens to an hour, well within the 24 h a sign-out is remembered", () => {
    const p = ofType("AWS::Cognito::UserPoolClient")[0][1].Properties as Props;
    expect(p.TokenValidityUnits.AccessToken).toBe("minutes");
    expect(p.AccessTokenValidity).toBe(60);
  });

  it("has the admins group", () => {
    template.hasResourceProperties("AWS::Cognito::UserPoolGroup", {
      GroupName: "admins",
      UserPoolId: { Ref: logicalId(stack, stack.identity.userPool) },
    });
  });
});

describe("the outputs", () => {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

  it("are the five the README names", () => {
    expect(Object.keys(outputs).sort()).toEqual(["ApiUrl", "CdnUrl", "ClientId", "LiveUrl", "UserPoolId"]);
  });

  it("give the service URL as the API's endpoint (https, no path), and a wss:// live URL", () => {
    expect(outputs.ApiUrl.Value).toEqual({ "Fn::GetAtt": [httpApi, "ApiEndpoint"] });
    const liveUrl = JSON.stringify(outputs.LiveUrl.Value);
    expect(liveUrl).toContain('"wss://"');
    expect(liveUrl).toContain(liveApi);
  });
});
