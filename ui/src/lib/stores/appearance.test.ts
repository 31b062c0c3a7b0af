// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Appearance } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  onAppearance: vi.fn(),
  initialAppearance: vi.fn(),
}));

import * as ipc from "../../ipc";
import { AppearanceStore, ROW_HEIGHT } from "./appearance.svelte";

const mocked = vi.mocked(ipc);
const DARK: Appearance = { theme: "dark", text_scale_percent: 100, compact_rows: false };

/** A `prefers-color-scheme: light` query the test turns. */
function systemScheme(light: boolean) {
  const listeners = new Set<() => void>();
  const query = {
    get matches() {
      return light;
    },
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  vi.stubGlobal("matchMedia", () => query);
  return {
    turn(toLight: boolean) {
      light = toLight;
      for (const listener of listeners) listener();
    },
    listeners,
  };
}

describe("the appearance store", () => {
  let emit: (appearance: Appearance) => void;
  const root = document.documentElement;

  beforeEach(() => {
    mocked.onAppearance.mockImplementation((callback) => {
      emit = callback;
      return Promise.resolve(() => {});
    });
    delete root.dataset.theme;
    delete root.dataset.rows;
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.clearAllMocks();
  });

  it("starts from the shell's look and follows each change it reports", () => {
    mocked.initialAppearance.mockReturnValue({ ...DARK, compact_rows: true });
    const store = new AppearanceStore();
    const stop = store.start();
    expect(root.dataset.theme).toBe("dark");
    expect(root.dataset.rows).toBe("compact");
    expect(store.rowHeight).toBe(ROW_HEIGHT.compact);

    emit({ theme: "light", text_scale_percent: 125, compact_rows: false });
    expect(root.dataset.theme).toBe("light");
    expect(root.dataset.rows).toBe("comfortable");
    expect(store.theme).toBe("light");
    expect(store.rowHeight).toBe(ROW_HEIGHT.comfortable);
    stop();
  });

  it("follows the web view's system theme when the shell leaves it to the page, and only then", () => {
    const system = systemScheme(false);
    mocked.initialAppearance.mockReturnValue({ ...DARK, theme: null });
    const store = new AppearanceStore();
    const stop = store.start();
    expect(root.dataset.theme).toBe("dark");
    system.turn(true);
    expect(root.dataset.theme).toBe("light");

    emit({ ...DARK, theme: "dark" });
    system.turn(false);
    system.turn(true);
    expect(root.dataset.theme).toBe("dark");
    stop();
    expect(system.listeners.size).toBe(0);
  });

  it("outside the app keeps what the document says", () => {
    mocked.initialAppearance.mockReturnValue(null);
    root.dataset.theme = "light";
    const store = new AppearanceStore();
    const stop = store.start();
    expect(store.theme).toBe("light");
    expect(store.compact).toBe(false);
    stop();
  });
});
