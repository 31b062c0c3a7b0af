import { afterEach, describe, expect, it } from "vitest";
import { format, localeStore, m } from "./index";
import { describeDownloads, describeSync } from "$lib/stores/library-words";
import type { DownloadsStatus, SyncStatus } from "../../ipc";
import en from "../../../messages/en.json";
import de from "../../../messages/de.json";

afterEach(() => localeStore.use(null));

describe("the window's language", () => {
  it("is the listener's choice, else the system's where Strato speaks it, else English", () => {
    expect(localeStore.system(["de-AT", "en-US"])).toBe("de");
    expect(localeStore.system(["fr-FR", "en-GB"])).toBe("en");
    expect(localeStore.system(["fr-FR"])).toBe("en");
    localeStore.use("de");
    expect(localeStore.current).toBe("de");
    expect(localeStore.chosen).toBe("de");
    localeStore.use("xx");
    expect(localeStore.chosen).toBeNull();
  });

  it("words messages, plurals by the locale's rules, and numbers, as it is now", () => {
    localeStore.use("en");
    expect(m.settings_title()).toBe("Settings");
    expect(m.tracks_count({ count: 1 })).toBe("1 track");
    expect(m.tracks_count({ count: 3 })).toBe("3 tracks");
    expect(format.bytes(1.5 * 1024 * 1024)).toBe("1.5 MB");
    localeStore.use("de");
    expect(m.settings_title()).toBe("Einstellungen");
    expect(m.tracks_count({ count: 3 })).toBe("3 Titel");
    expect(format.bytes(1.5 * 1024 * 1024)).toBe("1,5 MB");
    expect(format.number(12345)).toBe("12.345");
  });

  it("words the engines' states too, with the locale's plurals", () => {
    localeStore.use("de");
    const idle: SyncStatus = { state: "idle", unsynced_edits: 1, error: null, last_synced_at: null, notices: [], live: "live" };
    expect(describeSync({ ...idle })).toBe("1 Änderung wartet");
    expect(describeSync({ ...idle, unsynced_edits: 2 })).toBe("2 Änderungen warten");
    expect(describeSync({ ...idle, unsynced_edits: 0 })).toBe("Synchronisiert");
    const downloads: DownloadsStatus = {
      paused: true,
      active: 0,
      done: 1000,
      failed: 0,
      total: 1200,
      bytes_used: 0,
      bytes_cached: 0,
      quota_bytes: 0,
      error: null,
    };
    expect(describeDownloads(downloads)).toBe(
      "Downloads angehalten – 1.000 von 1.200",
    );
  });
});

/** Every key of the catalogues, without the schema's. */
function keys(catalogue: Record<string, unknown>): string[] {
  return Object.keys(catalogue)
    .filter((key) => key !== "$schema")
    .sort();
}

describe("the message catalogues", () => {
  it("have the same keys in every language", () => {
    expect(keys(de)).toEqual(keys(en));
  });

  it("have no key the code does not use", async () => {
    const sources = import.meta.glob(["/src/**/*.svelte", "/src/**/*.ts", "!/src/paraglide/**", "!/src/**/*.test.ts"], {
      query: "?raw",
      import: "default",
    });
    const texts = await Promise.all(Object.values(sources).map((load) => load() as Promise<string>));
    const code = texts.join("\n");
    const unused = keys(en).filter((key) => !new RegExp(`\\bm\\.${key}\\b`).test(code));
    expect(unused).toEqual([]);
  });
});
