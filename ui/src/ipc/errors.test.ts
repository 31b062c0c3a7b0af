import { describe, expect, it } from "vitest";
import { isAppError, toAppError } from "./errors";

describe("toAppError", () => {
  it("keeps a serialised Rust AppError", () => {
    expect(toAppError({ kind: "auth", message: "Wrong username or password" })).toEqual({
      kind: "auth",
      message: "Wrong username or password",
    });
  });

  it("drops extra fields", () => {
    expect(toAppError({ kind: "network", message: "offline", detail: 42 })).toEqual({
      kind: "network",
      message: "offline",
    });
  });

  it("turns a string rejection into an internal error", () => {
    expect(toAppError("command sign_in not found")).toEqual({
      kind: "internal",
      message: "command sign_in not found",
    });
  });

  it("keeps the words of an unknown kind as an internal error", () => {
    expect(toAppError({ kind: "quota", message: "Too many requests" })).toEqual({
      kind: "internal",
      message: "Too many requests",
    });
  });

  it("uses the message of a JS Error", () => {
    expect(toAppError(new TypeError("x is undefined"))).toEqual({
      kind: "internal",
      message: "x is undefined",
    });
  });

  it.each([
    [undefined, "undefined"],
    [null, "null"],
    [42, "42"],
    [{ kind: "auth" }, "[object Object]"],
  ])("stringifies anything else (%s)", (value, message) => {
    expect(toAppError(value)).toEqual({ kind: "internal", message });
  });
});

describe("isAppError", () => {
  it("needs a known kind and a string message", () => {
    expect(isAppError({ kind: "playback", message: "decode failed" })).toBe(true);
    expect(isAppError({ kind: "playback", message: 1 })).toBe(false);
    expect(isAppError({ kind: "nope", message: "x" })).toBe(false);
    expect(isAppError("auth")).toBe(false);
  });
});
