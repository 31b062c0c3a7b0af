import type { Attachment } from "svelte/attachments";

/**
 * Reports whether the element is within `marginPx` of its scroll container's
 * visible area (the nearest `[data-scroll-root]`, else the viewport).
 */
export function nearViewport(onChange: (near: boolean) => void, marginPx = 400): Attachment<HTMLElement> {
  return (node) => {
    if (typeof IntersectionObserver === "undefined") return;
    const root = node.closest<HTMLElement>("[data-scroll-root]");
    const observer = new IntersectionObserver(
      (entries) => onChange(entries.some((entry) => entry.isIntersecting)),
      { root, rootMargin: `${marginPx}px` },
    );
    observer.observe(node);
    return () => observer.disconnect();
  };
}
