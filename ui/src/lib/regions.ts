/**
 * The window's regions, as F6 and Shift+F6 move between them (as in GTK, Windows and
 * browser apps): the sidebar, the screen, the now-playing bar. Each region is a landmark
 * marked `data-region`; moving to one focuses what a listener most likely wants there: the
 * screen's heading in the screen (`data-region="content"`), elsewhere the control marked
 * `data-region-start`, else the first that takes focus, or the region itself.
 */

const TABBABLE = [
  "a[href]",
  "button:not([disabled])",
  "input:not([disabled]):not([type=hidden])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  "[tabindex]:not([tabindex='-1'])",
].join(",");

function visible(element: HTMLElement): boolean {
  // jsdom lays nothing out: there, everything counts as shown.
  if (typeof element.checkVisibility === "function") return element.checkVisibility();
  return !element.closest("[hidden]");
}

/** The element focus goes to in `region`: in the screen (`data-region="content"`), its heading. */
export function regionTarget(region: HTMLElement): HTMLElement {
  if (region.dataset.region === "content") return headingOf(region);
  const start = region.querySelector<HTMLElement>("[data-region-start]");
  if (start && visible(start)) return start;
  const first = Array.from(region.querySelectorAll<HTMLElement>(TABBABLE)).find(visible);
  if (first) return first;
  if (!region.hasAttribute("tabindex")) region.tabIndex = -1;
  return region;
}

/** Moves focus `step` regions on from the one holding it, within `root`. */
export function moveToRegion(root: ParentNode, step: 1 | -1): HTMLElement | null {
  const regions = Array.from(root.querySelectorAll<HTMLElement>("[data-region]"));
  if (regions.length === 0) return null;
  const active = document.activeElement;
  const at = regions.findIndex((region) => active instanceof Node && region.contains(active));
  const next = at < 0 ? (step > 0 ? 0 : regions.length - 1) : (at + step + regions.length) % regions.length;
  const target = regionTarget(regions[next]);
  target.focus();
  return target;
}

/** The screen's heading (made focusable for it), else the screen. */
function headingOf(main: HTMLElement): HTMLElement {
  const target = main.querySelector<HTMLElement>("h1") ?? main;
  if (!target.hasAttribute("tabindex")) target.tabIndex = -1;
  return target;
}

/** Skip to content: focus the screen's heading, so reading and Tab go on from there. */
export function skipToContent(main: HTMLElement): HTMLElement {
  const target = headingOf(main);
  target.focus();
  return target;
}
