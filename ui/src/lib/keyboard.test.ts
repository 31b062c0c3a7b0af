// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { isGlobalPlayPauseKey } from "./keyboard";

function spaceOn(target: EventTarget, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key: " ", code: "Space", bubbles: true, ...init });
  Object.defineProperty(event, "target", { value: target });
  return event;
}

describe("isGlobalPlayPauseKey", () => {
  it("accepts Space on the page body or a table cell", () => {
    expect(isGlobalPlayPauseKey(spaceOn(document.body))).toBe(true);
    expect(isGlobalPlayPauseKey(spaceOn(document.createElement("td")))).toBe(true);
  });

  it("ignores Space while typing", () => {
    for (const tag of ["input", "textarea", "select"]) {
      expect(isGlobalPlayPauseKey(spaceOn(document.createElement(tag)))).toBe(false);
    }
  });

  it("leaves Space to buttons, including their inner icons", () => {
    const button = document.createElement("button");
    const icon = document.createElement("span");
    button.append(icon);
    expect(isGlobalPlayPauseKey(spaceOn(button))).toBe(false);
    expect(isGlobalPlayPauseKey(spaceOn(icon))).toBe(false);
  });

  it("ignores other keys, modifiers and auto-repeat", () => {
    const body = document.body;
    expect(isGlobalPlayPauseKey(spaceOn(body, { key: "Enter", code: "Enter" }))).toBe(false);
    expect(isGlobalPlayPauseKey(spaceOn(body, { ctrlKey: true }))).toBe(false);
    expect(isGlobalPlayPauseKey(spaceOn(body, { repeat: true }))).toBe(false);
  });
});
