/**
 * Key chords as Strato writes them: modifiers in a fixed order, then one key, joined by
 * "+" ("Ctrl+K", "Alt+Left", "Shift+F6", "Space"). "Ctrl" is the primary modifier: Ctrl on
 * Linux and Windows, Cmd on macOS, where it is shown as ⌘, so one binding serves both.
 */

import { m } from "$lib/i18n";

export type Chord = string;

/** Keys named as the screen and the settings file write them. */
const KEY_NAMES: Readonly<Record<string, string>> = {
  " ": "Space",
  ArrowLeft: "Left",
  ArrowRight: "Right",
  ArrowUp: "Up",
  ArrowDown: "Down",
  Esc: "Escape",
  Del: "Delete",
};

/** Keys that only modify another; pressed alone they make no chord. */
const MODIFIERS = new Set(["Control", "Shift", "Alt", "AltGraph", "Meta", "OS", "CapsLock", "Fn", "Hyper", "Super"]);

type KeyLike = Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">;

/** The key itself, as written: the physical letter or digit when a modifier may have changed what it types. */
function keyName(event: KeyLike): string {
  if (event.code?.startsWith("Key") && event.code.length === 4) return event.code.slice(3);
  if (event.code?.startsWith("Digit") && event.code.length === 6) return event.code.slice(5);
  const named = KEY_NAMES[event.key];
  if (named) return named;
  return event.key.length === 1 ? event.key.toUpperCase() : event.key;
}

/** The chord a keydown makes, or null for a modifier pressed alone. */
export function chordOf(event: KeyLike): Chord | null {
  if (MODIFIERS.has(event.key) || event.key === "Unidentified" || event.key === "Dead") return null;
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push("Ctrl");
  if (event.altKey) parts.push("Alt");
  if (event.shiftKey) parts.push("Shift");
  parts.push(keyName(event));
  return parts.join("+");
}

/** The chord's modifiers and key. */
export function partsOf(chord: Chord): { modifiers: string[]; key: string } {
  // "Ctrl++" would be ambiguous: the key is whatever follows the last modifier.
  const parts = chord.split("+");
  const key = parts.at(-1) === "" ? "+" : (parts.at(-1) ?? "");
  const modifiers = parts.slice(0, parts.at(-1) === "" ? -2 : -1);
  return { modifiers, key };
}

const MAC_SYMBOLS: Readonly<Record<string, string>> = { Ctrl: "⌘", Alt: "⌥", Shift: "⇧" };
const KEY_LABELS: Readonly<Record<string, string>> = { Left: "←", Right: "→", Up: "↑", Down: "↓" };
/** Keys whose names a keyboard of the listener's language prints otherwise ("Strg"). */
const WORDED: Readonly<Record<string, () => string>> = {
  Ctrl: () => m.key_ctrl(),
  Shift: () => m.key_shift(),
  Space: () => m.key_space(),
};

/** How a chord is shown on this system and in its language: "Ctrl+K" ("Strg+K"), "⌘K" on a Mac. */
export function formatChord(chord: Chord, mac: boolean = isMac()): string {
  const { modifiers, key } = partsOf(chord);
  const label = KEY_LABELS[key] ?? WORDED[key]?.() ?? key;
  if (mac) return modifiers.map((modifier) => MAC_SYMBOLS[modifier] ?? modifier).join("") + label;
  return [...modifiers.map((modifier) => WORDED[modifier]?.() ?? modifier), label].join("+");
}

const ARIA_KEYS: Readonly<Record<string, string>> = {
  Left: "ArrowLeft",
  Right: "ArrowRight",
  Up: "ArrowUp",
  Down: "ArrowDown",
  ",": "Comma",
};

/**
 * A chord as `aria-keyshortcuts` writes it ("Control+ArrowLeft"); a "Ctrl" chord is given
 * with Meta too, as it is pressed with Cmd on a Mac.
 */
export function ariaKeyShortcuts(chord: Chord): string {
  const { modifiers, key } = partsOf(chord);
  const named = ARIA_KEYS[key] ?? key;
  const written = (primary: string) =>
    [...modifiers.map((modifier) => (modifier === "Ctrl" ? primary : modifier)), named].join("+");
  return modifiers.includes("Ctrl") ? `${written("Control")} ${written("Meta")}` : written("Control");
}

export function isMac(platform: string = globalThis.navigator?.platform ?? ""): boolean {
  return /mac/i.test(platform);
}
