// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makeSettings, makeStatus, makeTrack } from "../../../test/fixtures";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  lyrics: vi.fn(),
  seek: vi.fn(),
}));

import * as ipc from "../../../ipc";
import type { LyricsView } from "../../../ipc";
import { playerStore } from "$lib/stores/player.svelte";
import { settingsStore } from "$lib/features/settings/settings.svelte";
import LyricsPanel from "./LyricsPanel.svelte";
import { activeLine, lyricsStore } from "./lyrics.svelte";

const mocked = vi.mocked(ipc);
const song = makeTrack("t1", { title: "Harbour Lights" });

const synced: LyricsView = {
  track_id: "t1",
  lyrics: {
    kind: "synced",
    source: "lrclib",
    lines: [
      { at_ms: 1_000, text: "First light on the water" },
      { at_ms: 4_000, text: "" },
      { at_ms: 6_500, text: "Boats come home" },
    ],
  },
};

function playing(positionMs: number, track = song) {
  playerStore.status = makeStatus({ state: "playing", track, position_ms: positionMs, duration_ms: 30_000 });
  flushSync();
}

beforeEach(() => {
  vi.resetAllMocks();
  lyricsStore.reset();
  mocked.seek.mockResolvedValue(undefined);
});

describe("activeLine", () => {
  const lines = synced.lyrics.kind === "synced" ? synced.lyrics.lines : [];

  it("is the last line that has started, and none before the first", () => {
    expect(activeLine(lines, 0)).toBe(-1);
    expect(activeLine(lines, 999)).toBe(-1);
    expect(activeLine(lines, 1_000)).toBe(0);
    expect(activeLine(lines, 5_000)).toBe(1);
    expect(activeLine(lines, 6_500)).toBe(2);
    expect(activeLine(lines, 600_000)).toBe(2);
    expect(activeLine([], 5_000)).toBe(-1);
  });
});

describe("LyricsPanel", () => {
  it("follows playback line by line and plays from a line clicked", async () => {
    mocked.lyrics.mockResolvedValue(synced);
    playing(1_500);
    render(LyricsPanel, { id: "lyrics" });
    const lines = await screen.findAllByTestId("lyrics-line");
    expect(mocked.lyrics).toHaveBeenCalledWith("t1");
    expect(lines.map((l) => l.textContent)).toEqual(["First light on the water", "♪", "Boats come home"]);
    expect(lines[0].getAttribute("aria-current")).toBe("true");
    expect(screen.getByTestId("lyrics-source").textContent).toBe("Lyrics from LRCLIB");

    playing(7_000);
    expect(lines[0].getAttribute("aria-current")).toBeNull();
    expect(lines[2].getAttribute("aria-current")).toBe("true");

    await fireEvent.click(lines[0]);
    await vi.waitFor(() => expect(mocked.seek).toHaveBeenCalledWith(1_000));
  });

  it("shows plain lyrics as text, and says what was not found and why", async () => {
    mocked.lyrics.mockResolvedValueOnce({
      track_id: "t1",
      lyrics: { kind: "plain", text: "One line\nAnother", source: "server" },
    });
    playing(0);
    render(LyricsPanel, { id: "lyrics" });
    expect((await screen.findByTestId("lyrics-plain")).textContent).toBe("One line\nAnother");
    expect(screen.getByTestId("lyrics-source").textContent).toBe("Lyrics from your music server");

    mocked.lyrics.mockResolvedValueOnce({ track_id: "t2", lyrics: { kind: "not_found", looked_online: false } });
    playing(0, makeTrack("t2"));
    expect((await screen.findByTestId("lyrics-none")).textContent).toContain("Settings › Privacy");
    expect(screen.queryByTestId("lyrics-source")).toBeNull();
  });

  it("drops a late answer for the track before, and retries a failed lookup", async () => {
    const first = deferred<LyricsView>();
    mocked.lyrics.mockReturnValueOnce(first.promise);
    mocked.lyrics.mockRejectedValueOnce({ kind: "network", message: "The lyrics could not be looked up: offline." });
    playing(0);
    render(LyricsPanel, { id: "lyrics" });
    playing(0, makeTrack("t2"));
    const error = await screen.findByTestId("lyrics-error");
    expect(error.textContent).toContain("offline");

    // The first track's answer comes after the second's failure: it is not shown.
    first.resolve(synced);
    await Promise.resolve();
    flushSync();
    expect(screen.queryByTestId("lyrics-line")).toBeNull();

    mocked.lyrics.mockResolvedValueOnce({ track_id: "t2", lyrics: { kind: "instrumental", source: "lrclib" } });
    await fireEvent.click(screen.getByTestId("lyrics-retry"));
    expect(await screen.findByTestId("lyrics-instrumental")).toBeTruthy();
    expect(mocked.lyrics).toHaveBeenLastCalledWith("t2");
  });

  it("looks again when lookups online are turned on", async () => {
    const view = (localOnly: boolean) => ({
      settings: { ...makeSettings(), lyrics_local_only: localOnly },
      overridden: [],
      file: null,
      notice: null,
    });
    settingsStore.view = view(true);
    mocked.lyrics.mockResolvedValueOnce({ track_id: "t1", lyrics: { kind: "not_found", looked_online: false } });
    playing(0);
    render(LyricsPanel, { id: "lyrics" });
    await screen.findByTestId("lyrics-none");

    mocked.lyrics.mockResolvedValueOnce(synced);
    settingsStore.view = view(false);
    flushSync();
    expect(await screen.findAllByTestId("lyrics-line")).toHaveLength(3);
    expect(mocked.lyrics).toHaveBeenCalledTimes(2);
  });

  it("asks nothing while nothing plays", () => {
    playerStore.status = makeStatus();
    flushSync();
    render(LyricsPanel, { id: "lyrics" });
    expect(screen.getByTestId("lyrics-nothing")).toBeTruthy();
    expect(mocked.lyrics).not.toHaveBeenCalled();
  });
});
