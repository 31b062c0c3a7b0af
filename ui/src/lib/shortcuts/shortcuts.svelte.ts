import { RESERVED, SHORTCUTS, type ShortcutAction } from "./actions";
import { m } from "$lib/i18n";
import { chordOf, formatChord, partsOf, type Chord } from "./chords";

type KeyEventLike = Pick<
  KeyboardEvent,
  "key" | "code" | "target" | "repeat" | "defaultPrevented" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey"
>;

/**
 * Keys a keyboard's media row sends; they act wherever the focus is inside the window. With
 * the window hidden or in the background, media keys need the OS's media session.
 */
const MEDIA_KEYS: Readonly<Record<string, ShortcutAction>> = {
  MediaPlayPause: "play-pause",
  MediaTrackNext: "next",
  MediaTrackPrevious: "previous",
};

/** Held down, these go on; the others act once per press. */
const REPEATING: ReadonlySet<ShortcutAction> = new Set(["volume-up", "volume-down"]);
const TEXT_ENTRY_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);
/** Keys that move the caret or edit in a text field, with or without Ctrl. */
const EDITING_KEYS = new Set(["Left", "Right", "Up", "Down", "Home", "End", "Backspace", "Delete"]);

function asElement(target: EventTarget | null): HTMLElement | null {
  const element = target as HTMLElement | null;
  return element && typeof element.tagName === "string" ? element : null;
}

/** Typing, or a form control that owns its keys (arrows in a select, a slider, …). */
function isTextEntry(target: HTMLElement): boolean {
  return TEXT_ENTRY_TAGS.has(target.tagName) || target.isContentEditable;
}

/**
 * Whether a shortcut's chord acts with the focus on `target`: in a text field only chords
 * with Ctrl (Cmd) that do not edit, and the function keys; Space not on a button or a link,
 * which press on Space themselves.
 */
function appliesAt(chord: Chord, target: HTMLElement | null): boolean {
  if (!target) return true;
  const { modifiers, key } = partsOf(chord);
  if (isTextEntry(target)) {
    if (/^F\d{1,2}$/.test(key)) return true;
    return modifiers.includes("Ctrl") && !EDITING_KEYS.has(key);
  }
  if (key === "Space" && modifiers.length === 0) {
    return !target.closest?.("button, a[href], [role='button']");
  }
  return true;
}

export function labelOf(action: ShortcutAction): string {
  return SHORTCUTS.find((shortcut) => shortcut.id === action)?.label() ?? action;
}

/**
 * The window's shortcuts as the listener has bound them: the defaults of `SHORTCUTS` with
 * the listener's changes over them (kept in the settings' `shortcuts`, an action's id to
 * its chord).
 */
export class ShortcutStore {
  overrides = $state.raw<Readonly<Record<string, Chord>>>({});

  /** Takes the listener's changes; unknown actions (a newer Strato's) are left out. */
  use(overrides: Readonly<Record<string, Chord>>): void {
    const known = Object.entries(overrides).filter(([action]) => SHORTCUTS.some((s) => s.id === action));
    this.overrides = Object.fromEntries(known);
  }

  keysOf(action: ShortcutAction): Chord {
    return this.overrides[action] ?? SHORTCUTS.find((shortcut) => shortcut.id === action)?.keys ?? "";
  }

  isDefault(action: ShortcutAction): boolean {
    return !(action in this.overrides);
  }

  /** The action `chord` is bound to, if any. */
  actionOf(chord: Chord): ShortcutAction | null {
    return SHORTCUTS.find((shortcut) => this.keysOf(shortcut.id) === chord)?.id ?? null;
  }

  /** The shortcut a keydown anywhere in the window stands for, if any. */
  actionFor(event: KeyEventLike): ShortcutAction | null {
    if (event.defaultPrevented) return null;
    const media = MEDIA_KEYS[event.key];
    if (media) return event.repeat ? null : media;
    const chord = chordOf(event);
    if (!chord) return null;
    const action = this.actionOf(chord);
    if (!action || (event.repeat && !REPEATING.has(action))) return null;
    return appliesAt(chord, asElement(event.target)) ? action : null;
  }

  /** Why `action` may not take `chord`, in words; null when it may. */
  refusal(action: ShortcutAction, chord: Chord): string | null {
    const keys = formatChord(chord);
    const reserved = RESERVED[chord];
    if (reserved) return m.refusal_reserved({ keys, reason: reserved() });
    const taken = this.actionOf(chord);
    if (taken && taken !== action) return m.refusal_taken({ keys, action: labelOf(taken) });
    const { modifiers, key } = partsOf(chord);
    const typed = key.length === 1 && (modifiers.length === 0 || (modifiers.length === 1 && modifiers[0] === "Shift"));
    if (typed) return m.refusal_types({ keys });
    return null;
  }

  /** The listener's changes with `action` on `chord` (a default is not kept as a change). */
  withKeys(action: ShortcutAction, chord: Chord): Record<string, Chord> {
    const next: Record<string, Chord> = { ...this.overrides };
    if (SHORTCUTS.find((shortcut) => shortcut.id === action)?.keys === chord) delete next[action];
    else next[action] = chord;
    return next;
  }

  /** The listener's changes without `action`'s: it is back on its default keys. */
  withDefault(action: ShortcutAction): Record<string, Chord> {
    const next: Record<string, Chord> = { ...this.overrides };
    delete next[action];
    return next;
  }
}

export const shortcutStore = new ShortcutStore();
