// The README tells the truth about the stack: its diagram names only constructs that exist
// (and draws every function and table), its table of environment variables is the one
// lib/environment.ts assigns, and it names the outputs the stack has.
import * as fs from "node:fs";
import * as path from "node:path";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { BINS, type Bin, ENV, FUNCTION_ENV } from "../lib/environment.js";
import { strato } from "./stack.js";

const { stack, template } = strato();
const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "README.md"), "utf8");
/** Nodes of the diagram that stand for no construct. */
const OUTSIDE = new Set(["app"]);

function diagram(): string {
  const blocks = [...readme.matchAll(/```mermaid\n([\s\S]*?)```/g)];
  expect(blocks).toHaveLength(1);
  return blocks[0][1];
}

/** Every node id of a flowchart: what is left once shapes' labels and edges' labels go. */
function nodeIds(chart: string): Set<string> {
  const ids = new Set<string>();
  for (const line of chart.split("\n").slice(1)) {
    let rest = line.replace(/\|[^|]*\|/g, " ");
    for (let before = ""; before !== rest;) {
      before = rest;
      rest = rest.replace(/\[[^[\]]*\]|\([^()]*\)|\{[^{}]*\}/g, " ");
    }
    for (const m of rest.matchAll(/[A-Za-z][A-Za-z0-9_]*/g)) ids.add(m[0]);
  }
  return ids;
}

/** The construct a node id names: path components joined by `_`. */
function constructOf(id: string): IConstruct | undefined {
  let node: IConstruct | undefined = stack;
  for (const part of id.split("_")) node = node?.node.tryFindChild(part);
  return node;
}

describe("the README's diagram", () => {
  const ids = nodeIds(diagram());

  it("names only constructs of the stack", () => {
    const missing = [...ids].filter((id) => !OUTSIDE.has(id) && !constructOf(id));
    expect(missing).toEqual([]);
  });

  it("draws every function and every table", () => {
    const drawn = new Set([...ids].map((id) => constructOf(id)).filter((c) => c !== undefined));
    for (const f of stack.functions) expect(drawn, f.bin).toContain(f);
    for (const t of Object.values(stack.data.tables)) expect(drawn, t.name).toContain(t.table);
  });
});

describe("the README's table of environment variables", () => {
  const rows = [...readme.matchAll(/^\| `(STRATO_[A-Z_]+)` \| ([^|]+) \|/gm)].map(
    ([, name, functions]) =>
      [
        name,
        functions
          .split(",")
          .map((f) => f.trim())
          .sort(),
      ] as const,
  );

  it("lists every variable of environment.ts once", () => {
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(ENV).sort());
  });

  it("says which functions get each, as the stack gives them", () => {
    for (const [name, functions] of rows) {
      const given = BINS.filter((bin: Bin) => FUNCTION_ENV[bin].includes(name as keyof typeof ENV));
      expect(functions, name).toEqual([...given].sort());
    }
  });
});

describe("the README's outputs", () => {
  it("are the stack's", () => {
    for (const output of Object.keys(template.toJSON().Outputs)) expect(readme).toContain(`\`${output}\``);
  });
});
