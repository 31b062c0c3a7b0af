import { vi } from "vitest";

/**
 * Gives virtualised lists a screen to fill in jsdom, which lays nothing out: a
 * `ResizeObserver` that, like a browser's, reports each element once when observed, here as
 * `height` pixels tall. A list then mounts the rows that fit (and its margin), as in the app.
 */
export function giveViewport(height = 800, width = 1000): void {
  const SizedResizeObserver = class {
      readonly #callback: ResizeObserverCallback;

      constructor(callback: ResizeObserverCallback) {
        this.#callback = callback;
      }

      observe(target: Element): void {
        queueMicrotask(() =>
          this.#callback([{ target, contentRect: { width, height } } as unknown as ResizeObserverEntry], this),
        );
      }

      unobserve(): void {}

      disconnect(): void {}
    };
  vi.stubGlobal("ResizeObserver", SizedResizeObserver);
  // virtua takes it from the element's window, which jsdom keeps apart from the globals.
  const view = document.defaultView as (Window & { ResizeObserver: unknown }) | null;
  if (view && view.ResizeObserver !== SizedResizeObserver) view.ResizeObserver = SizedResizeObserver;
}
