const TEXT_ENTRY_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

type KeyEventLike = Pick<
  KeyboardEvent,
  "key" | "code" | "target" | "repeat" | "defaultPrevented" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey"
>;

/** What a global shortcut asks the player to do. */
export type PlayerShortcut = "play-pause" | "next" | "previous";

/**
 * Keys a keyboard's media row sends; they act wherever the focus is inside the window. They
 * reach the page only while the window has focus: with the window hidden or in the
 * background, media keys need the OS's media session, which Strato does not join yet.
 */
const MEDIA_KEYS: Readonly<Record<string, PlayerShortcut>> = {
  MediaPlayPause: "play-pause",
  MediaTrackNext: "next",
  MediaTrackPrevious: "previous",
};

function asElement(target: EventTarget | null): HTMLElement | null {
  const element = target as HTMLElement | null;
  return element && typeof element.tagName === "string" ? element : null;
}

/** Typing, or a form control that owns its keys (arrows in a select, a slider, …). */
function isTextEntry(target: HTMLElement): boolean {
  return TEXT_ENTRY_TAGS.has(target.tagName) || target.isContentEditable;
}

/**
 * Whether a Space keydown should toggle play/pause. Not while typing, and not
 * on buttons/links, which already treat Space as their own click.
 */
export function isGlobalPlayPauseKey(event: Omit<KeyEventLike, "shiftKey">): boolean {
  if (event.key !== " " && event.code !== "Space") return false;
  if (event.repeat || event.defaultPrevented) return false;
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const target = asElement(event.target);
  if (!target) return true;
  if (isTextEntry(target)) return false;
  if (target.closest?.("button, a[href], [role='button']")) return false;
  return true;
}

/**
 * The player shortcut a keydown anywhere in the window stands for, if any:
 * Space (see `isGlobalPlayPauseKey`), the media keys, and Ctrl/Cmd+Right / Ctrl/Cmd+Left
 * for the next / previous track (left to text fields, where they move by word).
 */
export function playerShortcut(event: KeyEventLike): PlayerShortcut | null {
  if (event.defaultPrevented || event.repeat) return null;
  const media = MEDIA_KEYS[event.key];
  if (media) return media;
  if (isGlobalPlayPauseKey(event)) return "play-pause";
  if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return null;
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return null;
  const target = asElement(event.target);
  if (target && isTextEntry(target)) return null;
  return event.key === "ArrowRight" ? "next" : "previous";
}

/** Ctrl+K (Cmd+K on macOS) goes to the search box, as in Spotify and most web apps; anywhere in the window. */
export function isSearchKey(event: Pick<KeyEventLike, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey" | "repeat">): boolean {
  return event.key.toLowerCase() === "k" && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && !event.repeat;
}

/** Ctrl+, (Cmd+, on macOS) opens Settings, as in most desktop apps; anywhere in the window. */
export function isSettingsKey(event: Pick<KeyEventLike, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey" | "repeat">): boolean {
  return event.key === "," && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && !event.repeat;
}

/** How the Settings shortcut is written on this system. */
export function settingsKeyLabel(platform: string = globalThis.navigator?.platform ?? ""): string {
  return /mac/i.test(platform) ? "⌘," : "Ctrl+,";
}
