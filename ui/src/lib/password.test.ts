import { describe, expect, it } from "vitest";
import { passwordRules } from "./password";

const unmet = (password: string) => passwordRules(password).filter((rule) => !rule.met).map((rule) => rule.label);

describe("passwordRules", () => {
  it("lists every rule as unmet for an empty password", () => {
    expect(unmet("")).toHaveLength(5);
  });

  it("is satisfied by a password with every kind of character", () => {
    expect(unmet("Brand-New-Pass-456")).toEqual([]);
  });

  it("names what is missing", () => {
    expect(unmet("short1A")).toEqual(["At least 8 characters", "A symbol, such as ! or -"]);
    expect(unmet("lowercase-only")).toEqual(["An uppercase letter", "A number"]);
  });
});
