import * as ipc from "../../ipc";
import type { Appearance, Theme } from "../../ipc";

/** The track rows' heights, comfortable and compact (the list components size by them). */
export const ROW_HEIGHT = { comfortable: 52, compact: 36 } as const;

const SYSTEM_LIGHT = "(prefers-color-scheme: light)";

/**
 * The window's look on `<html>`: `data-theme` (the palette of `app.css`) and `data-rows`.
 * The shell's first-paint script sets both before the page paints; this store keeps them
 * true after, as the shell reports changes. A theme the shell leaves to the page ("as the
 * system is", where the web view knows the system) follows `prefers-color-scheme`.
 */
export class AppearanceStore {
  theme = $state<Theme>("dark");
  compact = $state(false);
  #followsSystem = false;
  #systemQuery: MediaQueryList | null = null;

  get rowHeight(): number {
    return this.compact ? ROW_HEIGHT.compact : ROW_HEIGHT.comfortable;
  }

  /** Starts from the shell's look and follows its changes; returns the stop. */
  start(): () => void {
    const initial = ipc.initialAppearance();
    if (initial) this.apply(initial);
    else this.#readDocument();
    let stopped = false;
    let unlisten: ipc.Unlisten | null = null;
    void ipc.onAppearance((appearance) => this.apply(appearance)).then((stop) => {
      if (stopped) stop();
      else unlisten = stop;
    });
    return () => {
      stopped = true;
      unlisten?.();
      this.#systemQuery?.removeEventListener("change", this.#onSystemChange);
    };
  }

  apply(appearance: Appearance): void {
    this.#followsSystem = appearance.theme === null;
    this.compact = appearance.compact_rows;
    this.#setTheme(appearance.theme ?? this.#systemTheme());
    document.documentElement.dataset.rows = this.compact ? "compact" : "comfortable";
  }

  #setTheme(theme: Theme): void {
    this.theme = theme;
    document.documentElement.dataset.theme = theme;
  }

  #systemTheme(): Theme {
    if (!this.#systemQuery && typeof matchMedia === "function") {
      this.#systemQuery = matchMedia(SYSTEM_LIGHT);
      this.#systemQuery.addEventListener("change", this.#onSystemChange);
    }
    return this.#systemQuery?.matches ? "light" : "dark";
  }

  #onSystemChange = (): void => {
    if (this.#followsSystem) this.#setTheme(this.#systemTheme());
  };

  #readDocument(): void {
    const root = document.documentElement;
    this.theme = root.dataset.theme === "light" ? "light" : "dark";
    this.compact = root.dataset.rows === "compact";
  }
}

export const appearanceStore = new AppearanceStore();
