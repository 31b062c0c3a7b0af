export { FIXED_KEYS, SHORTCUTS, type ShortcutAction, type ShortcutDefinition } from "./actions";
export { ariaKeyShortcuts, chordOf, formatChord, isMac, type Chord } from "./chords";
export { labelOf, ShortcutStore, shortcutStore } from "./shortcuts.svelte";
