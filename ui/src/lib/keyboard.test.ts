// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { isGlobalPlayPauseKey, isSearchKey, playerShortcut } from "./keyboard";

function keyOn(target: EventTarget, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, ...init });
  Object.defineProperty(event, "target", { value: target });
  return event;
}

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

describe("playerShortcut", () => {
  it("maps Space to play/pause where isGlobalPlayPauseKey allows it", () => {
    expect(playerShortcut(spaceOn(document.body))).toBe("play-pause");
    expect(playerShortcut(spaceOn(document.createElement("button")))).toBeNull();
  });

  it("maps Ctrl+Right / Ctrl+Left and Cmd+Right / Cmd+Left to next / previous", () => {
    const body = document.body;
    expect(playerShortcut(keyOn(body, "ArrowRight", { ctrlKey: true }))).toBe("next");
    expect(playerShortcut(keyOn(body, "ArrowLeft", { ctrlKey: true }))).toBe("previous");
    expect(playerShortcut(keyOn(body, "ArrowRight", { metaKey: true }))).toBe("next");
    expect(playerShortcut(keyOn(body, "ArrowLeft", { metaKey: true }))).toBe("previous");
  });

  it("works from buttons and the seek slider, which leave modified arrows alone", () => {
    const slider = document.createElement("div");
    slider.setAttribute("role", "slider");
    expect(playerShortcut(keyOn(slider, "ArrowRight", { ctrlKey: true }))).toBe("next");
    expect(playerShortcut(keyOn(document.createElement("button"), "ArrowLeft", { ctrlKey: true }))).toBe("previous");
  });

  it("leaves plain arrows, other modifiers and text fields alone", () => {
    const body = document.body;
    expect(playerShortcut(keyOn(body, "ArrowRight"))).toBeNull();
    expect(playerShortcut(keyOn(body, "ArrowRight", { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(playerShortcut(keyOn(body, "ArrowRight", { ctrlKey: true, altKey: true }))).toBeNull();
    expect(playerShortcut(keyOn(body, "ArrowRight", { ctrlKey: true, repeat: true }))).toBeNull();
    // Ctrl+Arrow moves the caret by word there.
    expect(playerShortcut(keyOn(document.createElement("input"), "ArrowRight", { ctrlKey: true }))).toBeNull();
    expect(playerShortcut(keyOn(document.createElement("textarea"), "ArrowLeft", { metaKey: true }))).toBeNull();
  });

  it("honours the keyboard's media keys wherever the focus is", () => {
    const input = document.createElement("input");
    expect(playerShortcut(keyOn(input, "MediaPlayPause"))).toBe("play-pause");
    expect(playerShortcut(keyOn(input, "MediaTrackNext"))).toBe("next");
    expect(playerShortcut(keyOn(input, "MediaTrackPrevious"))).toBe("previous");
  });

  it("ignores a key another handler already took", () => {
    const event = keyOn(document.body, "ArrowRight", { ctrlKey: true, cancelable: true });
    event.preventDefault();
    expect(playerShortcut(event)).toBeNull();
  });
});

describe("the search key", () => {
  const chord = (overrides: Partial<KeyboardEvent>) =>
    isSearchKey({ key: "k", ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, repeat: false, ...overrides });

  it("is Ctrl+K, or Cmd+K, and nothing near it", () => {
    expect(chord({ ctrlKey: true })).toBe(true);
    expect(chord({ metaKey: true, key: "K" })).toBe(true);
    expect(chord({})).toBe(false);
    expect(chord({ ctrlKey: true, shiftKey: true })).toBe(false);
    expect(chord({ ctrlKey: true, repeat: true })).toBe(false);
  });
});
