// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { localeStore } from "$lib/i18n";
import { ariaKeyShortcuts, chordOf, formatChord } from "./chords";
import { ShortcutStore } from "./shortcuts.svelte";

function keyOn(target: EventTarget, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  Object.defineProperty(event, "target", { value: target });
  return event;
}

const space = (target: EventTarget, init: KeyboardEventInit = {}) => keyOn(target, " ", { code: "Space", ...init });

describe("chords", () => {
  it("are written with the modifiers in one order, Cmd as Ctrl, and the physical letter", () => {
    expect(chordOf({ key: "k", code: "KeyK", ctrlKey: true, metaKey: false, altKey: false, shiftKey: false })).toBe("Ctrl+K");
    expect(chordOf({ key: "K", code: "KeyK", ctrlKey: false, metaKey: true, altKey: false, shiftKey: true })).toBe("Ctrl+Shift+K");
    expect(chordOf({ key: "ArrowLeft", code: "ArrowLeft", ctrlKey: false, metaKey: false, altKey: true, shiftKey: false })).toBe("Alt+Left");
    expect(chordOf({ key: " ", code: "Space", ctrlKey: false, metaKey: false, altKey: false, shiftKey: false })).toBe("Space");
    expect(chordOf({ key: "F6", code: "F6", ctrlKey: false, metaKey: false, altKey: false, shiftKey: true })).toBe("Shift+F6");
    expect(chordOf({ key: "Control", code: "ControlLeft", ctrlKey: true, metaKey: false, altKey: false, shiftKey: false })).toBeNull();
  });

  it("are shown as each system writes them", () => {
    expect(formatChord("Ctrl+,", false)).toBe("Ctrl+,");
    expect(formatChord("Ctrl+,", true)).toBe("⌘,");
    expect(formatChord("Alt+Left", false)).toBe("Alt+←");
    expect(formatChord("Ctrl+Shift+K", true)).toBe("⌘⇧K");
  });

  it("are told to screen readers as aria-keyshortcuts writes them, Cmd with Ctrl", () => {
    expect(ariaKeyShortcuts("Ctrl+Left")).toBe("Control+ArrowLeft Meta+ArrowLeft");
    expect(ariaKeyShortcuts("Alt+Right")).toBe("Alt+ArrowRight");
    expect(ariaKeyShortcuts("Space")).toBe("Space");
    expect(ariaKeyShortcuts("Ctrl+,")).toBe("Control+Comma Meta+Comma");
  });

  it("and in the window's language, with the words its keyboards print", () => {
    localeStore.use("de");
    try {
      expect(formatChord("Ctrl+Shift+K", false)).toBe("Strg+Umschalt+K");
      expect(formatChord("Space", false)).toBe("Leertaste");
      expect(new ShortcutStore().refusal("next", "Ctrl+K")).toBe(
        "Strg+K ist schon das Tastenkürzel für „Suchen“. Ändern Sie zuerst dieses.",
      );
    } finally {
      localeStore.use(null);
    }
  });
});

describe("the window's shortcuts", () => {
  const body = document.body;

  it("play and pause on Space, except while typing or on a button, which press on Space", () => {
    const shortcuts = new ShortcutStore();
    expect(shortcuts.actionFor(space(body))).toBe("play-pause");
    expect(shortcuts.actionFor(space(document.createElement("td")))).toBe("play-pause");
    for (const tag of ["input", "textarea", "select"]) {
      expect(shortcuts.actionFor(space(document.createElement(tag)))).toBeNull();
    }
    const button = document.createElement("button");
    const icon = document.createElement("span");
    button.append(icon);
    expect(shortcuts.actionFor(space(icon))).toBeNull();
    expect(shortcuts.actionFor(space(body, { repeat: true }))).toBeNull();
    expect(shortcuts.actionFor(space(body, { ctrlKey: true }))).toBeNull();
  });

  it("take the media keys wherever the focus is, and the defaults of the players a listener knows", () => {
    const shortcuts = new ShortcutStore();
    const input = document.createElement("input");
    expect(shortcuts.actionFor(keyOn(input, "MediaPlayPause"))).toBe("play-pause");
    expect(shortcuts.actionFor(keyOn(input, "MediaTrackNext"))).toBe("next");
    expect(shortcuts.actionFor(keyOn(body, "ArrowRight", { ctrlKey: true }))).toBe("next");
    expect(shortcuts.actionFor(keyOn(body, "ArrowLeft", { metaKey: true }))).toBe("previous");
    expect(shortcuts.actionFor(keyOn(body, "ArrowLeft", { altKey: true }))).toBe("back");
    expect(shortcuts.actionFor(keyOn(body, "k", { code: "KeyK", ctrlKey: true }))).toBe("search");
    expect(shortcuts.actionFor(keyOn(body, ",", { code: "Comma", ctrlKey: true }))).toBe("settings");
    expect(shortcuts.actionFor(keyOn(body, "F6"))).toBe("next-region");
    expect(shortcuts.actionFor(keyOn(body, "F6", { shiftKey: true }))).toBe("previous-region");
  });

  it("leave a text field its editing keys, and take chords that do not edit and the function keys there", () => {
    const shortcuts = new ShortcutStore();
    const input = document.createElement("input");
    expect(shortcuts.actionFor(keyOn(input, "ArrowRight", { ctrlKey: true }))).toBeNull();
    expect(shortcuts.actionFor(keyOn(input, "ArrowLeft", { altKey: true }))).toBeNull();
    expect(shortcuts.actionFor(keyOn(input, "k", { code: "KeyK", ctrlKey: true }))).toBe("search");
    expect(shortcuts.actionFor(keyOn(input, "F6"))).toBe("next-region");
  });

  it("repeat only where holding a key should go on", () => {
    const shortcuts = new ShortcutStore();
    expect(shortcuts.actionFor(keyOn(body, "ArrowUp", { ctrlKey: true, repeat: true }))).toBe("volume-up");
    expect(shortcuts.actionFor(keyOn(body, "ArrowRight", { ctrlKey: true, repeat: true }))).toBeNull();
  });

  it("leave a key another handler already took", () => {
    const event = keyOn(body, "ArrowRight", { ctrlKey: true });
    event.preventDefault();
    expect(new ShortcutStore().actionFor(event)).toBeNull();
  });

  it("follow the listener's keys, and the default keys then do nothing", () => {
    const shortcuts = new ShortcutStore();
    shortcuts.use(shortcuts.withKeys("search", "Ctrl+F"));
    expect(shortcuts.keysOf("search")).toBe("Ctrl+F");
    expect(shortcuts.isDefault("search")).toBe(false);
    expect(shortcuts.actionFor(keyOn(body, "f", { code: "KeyF", ctrlKey: true }))).toBe("search");
    expect(shortcuts.actionFor(keyOn(body, "k", { code: "KeyK", ctrlKey: true }))).toBeNull();
    shortcuts.use(shortcuts.withDefault("search"));
    expect(shortcuts.keysOf("search")).toBe("Ctrl+K");
    expect(shortcuts.overrides).toEqual({});
    // A change back to the default is no change at all.
    expect(shortcuts.withKeys("next", "Ctrl+Right")).toEqual({});
    // A newer Strato's actions are left alone by this one.
    shortcuts.use({ "open-lyrics": "Ctrl+L", mute: "Ctrl+Shift+M" });
    expect(shortcuts.overrides).toEqual({ mute: "Ctrl+Shift+M" });
  });

  it("refuse keys another shortcut has, keys the window needs, and keys that type, in words", () => {
    const shortcuts = new ShortcutStore();
    expect(shortcuts.refusal("next", "Ctrl+K")).toBe("Ctrl+K is already the shortcut for “Search”. Change that one first.");
    expect(shortcuts.refusal("next", "Tab")).toContain("moves between controls");
    expect(shortcuts.refusal("mute", "Ctrl+C")).toContain("copies");
    expect(shortcuts.refusal("mute", "M")).toContain("add Ctrl or Alt");
    expect(shortcuts.refusal("mute", "Shift+M")).toContain("add Ctrl or Alt");
    expect(shortcuts.refusal("mute", "Ctrl+Shift+M")).toBeNull();
    expect(shortcuts.refusal("search", "Ctrl+K")).toBeNull();
    expect(shortcuts.refusal("search", "F3")).toBeNull();
  });
});
