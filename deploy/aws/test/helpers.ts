// Reading the template as a reviewer would: resources by the construct that made them, IAM
// statements flattened to "action on resource" with references written as construct paths
// (Data/Playlists, Media/UploadsBucket/uploads/*), so a test can list what a role may do.
import { CfnResource, type Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";

type Json = unknown;
type Resources = Record<string, { Type: string; Properties?: Record<string, Json>; [k: string]: Json }>;

/** Logical id -> the path below the stack of the construct that made it (its L2, not "Resource"). */
export function constructPaths(stack: Stack): Map<string, string> {
  const paths = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const parts = c.node.path.split("/").slice(1);
    if (parts.at(-1) === "Resource") parts.pop();
    paths.set(stack.getLogicalId(c), parts.join("/"));
  }
  return paths;
}

export function resources(template: Template): Resources {
  return template.toJSON().Resources as Resources;
}

/** A reference or join as text: GetAtt/Ref of our resources as their construct path. */
export function describe(value: Json, paths: Map<string, string>): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) throw new Error(`a list where one value was expected: ${JSON.stringify(value)}`);
  const v = value as Record<string, Json>;
  if ("Ref" in v) {
    const ref = v.Ref as string;
    return paths.get(ref) ?? `\${${ref}}`;
  }
  if ("Fn::GetAtt" in v) {
    const [id, attribute] = v["Fn::GetAtt"] as [string, string];
    const path = paths.get(id);
    if (!path) throw new Error(`GetAtt of an unknown resource ${id}`);
    return attribute === "Arn" ? path : `${path}#${attribute}`;
  }
  if ("Fn::Join" in v) {
    const [separator, parts] = v["Fn::Join"] as [string, Json[]];
    return parts.map((p) => describe(p, paths)).join(separator);
  }
  throw new Error(`cannot describe ${JSON.stringify(value)}`);
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export interface Grant {
  action: string;
  resource: string;
  condition?: Json;
}

/** Every Allow statement of the policies attached to a role, one action on one resource a row. */
export function roleGrants(template: Template, stack: Stack, roleLogicalId: string): Grant[] {
  const paths = constructPaths(stack);
  const grants: Grant[] = [];
  for (const r of Object.values(resources(template))) {
    if (r.Type !== "AWS::IAM::Policy") continue;
    const roles = list(r.Properties?.Roles as Json[]).map((x) => (x as { Ref: string }).Ref);
    if (!roles.includes(roleLogicalId)) continue;
    const document = r.Properties?.PolicyDocument as { Statement: Record<string, Json>[] };
    for (const s of document.Statement) {
      if (s.Effect !== "Allow") throw new Error(`a ${String(s.Effect)} statement in a role's policy`);
      for (const action of list(s.Action as string | string[])) {
        for (const resource of list(s.Resource as Json)) {
          grants.push({ action, resource: describe(resource, paths), condition: s.Condition });
        }
      }
    }
  }
  return grants;
}

/** Grants as `resource -> sorted actions`, the shape the tests write expectations in. */
export function byResource(grants: Grant[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const g of grants) (out[g.resource] ??= []).push(g.action);
  for (const k of Object.keys(out)) out[k] = [...new Set(out[k])].sort();
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(child as never)) throw new Error("no CloudFormation resource under it");
  return stack.getLogicalId(child as CfnResource);
}
