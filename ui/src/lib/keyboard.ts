const TEXT_ENTRY_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/**
 * Whether a Space keydown should toggle play/pause. Not while typing, and not
 * on buttons/links, which already treat Space as their own click.
 */
export function isGlobalPlayPauseKey(event: Pick<KeyboardEvent, "key" | "code" | "target" | "repeat" | "defaultPrevented" | "ctrlKey" | "metaKey" | "altKey">): boolean {
  if (event.key !== " " && event.code !== "Space") return false;
  if (event.repeat || event.defaultPrevented) return false;
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const target = event.target as HTMLElement | null;
  if (!target || typeof target.tagName !== "string") return true;
  if (TEXT_ENTRY_TAGS.has(target.tagName)) return false;
  if (target.isContentEditable) return false;
  if (target.closest?.("button, a[href], [role='button']")) return false;
  return true;
}
