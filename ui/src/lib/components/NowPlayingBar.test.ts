// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeQueueStatus, makeQueueView, makeStatus, makeTrack } from "../../test/fixtures";
import { giveViewport } from "../../test/viewport";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  playTrack: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  jump: vi.fn(),
  next: vi.fn(),
  previous: vi.fn(),
  queuePage: vi.fn(),
  seek: vi.fn(),
  setVolume: vi.fn(),
  setMuted: vi.fn(),
  setShuffle: vi.fn(),
  setRepeat: vi.fn(),
}));

import * as ipc from "../../ipc";
import type { PlayerStatus } from "../../ipc";
import { playerStore } from "$lib/stores/player.svelte";
import NowPlayingBar from "./NowPlayingBar.svelte";

const mocked = vi.mocked(ipc);
const album = ["a1", "a2", "a3"].map((id, i) => makeTrack(id, { title: `Song ${i + 1}`, duration_ms: 200_000 }));

/** What the engine would report; the store takes it as an event. */
function engine(status: PlayerStatus) {
  playerStore.status = status;
  flushSync();
}

/** The album queued and its track `index` playing: the queue's event, then the status. */
function playing(index: number, overrides: Partial<PlayerStatus> = {}) {
  playerStore.queue.apply(makeQueueView(album, index));
  engine(makeQueueStatus(album, index, overrides));
}

beforeEach(() => {
  vi.resetAllMocks();
  giveViewport(600);
  for (const command of ["playTrack", "pause", "resume", "jump", "next", "previous", "seek", "setVolume", "setMuted", "setShuffle", "setRepeat"] as const) {
    mocked[command].mockResolvedValue(undefined);
  }
  playerStore.stop();
});

describe("NowPlayingBar transport", () => {
  it("disables the controls with nothing playing", () => {
    render(NowPlayingBar);
    for (const id of ["prev", "play-pause", "next"]) {
      expect((screen.getByTestId(id) as HTMLButtonElement).disabled).toBe(true);
    }
    expect(screen.getByTestId("seek-bar").getAttribute("aria-disabled")).toBe("true");
    expect(screen.getByTestId("now-playing-title").textContent).toBe("Nothing playing");
  });

  it("names a file played from outside the catalog without links to pages it has not", () => {
    render(NowPlayingBar);
    const file = makeTrack("/music/Mixes/night drive.mp3", {
      title: "night drive",
      artist_id: "",
      artist_name: "Mixes",
      album_id: "",
      album_title: "",
    });
    playerStore.queue.apply(makeQueueView([file], 0));
    engine(makeQueueStatus([file], 0));
    expect(screen.getByTestId("now-playing-title").textContent).toBe("night drive");
    expect(screen.getByTestId("album-name").textContent).toBe("night drive");
    expect(screen.getByTestId("artist-name").textContent).toBe("Mixes");
    expect(screen.queryByTestId("album-link")).toBeNull();
    expect(screen.queryByTestId("artist-link")).toBeNull();
  });

  it("skips to the next and previous track", async () => {
    render(NowPlayingBar);
    playing(1);
    await fireEvent.click(screen.getByTestId("next"));
    await fireEvent.click(screen.getByTestId("prev"));
    expect(mocked.next).toHaveBeenCalledOnce();
    expect(mocked.previous).toHaveBeenCalledOnce();
    expect(screen.getByTestId("now-playing-title").textContent).toBe("Song 2");
  });

  it("offers pause while buffering and says it is buffering", async () => {
    render(NowPlayingBar);
    playing(0);
    expect(screen.queryByTestId("buffering")).toBeNull();

    playing(0, { state: "buffering" });
    expect(screen.getByTestId("buffering").textContent).toBe("Buffering…");
    const playPause = screen.getByTestId("play-pause");
    expect(playPause.getAttribute("aria-label")).toBe("Pause");
    await fireEvent.click(playPause);
    expect(mocked.pause).toHaveBeenCalledOnce();
  });

  it("says which device plays while the chosen one is not connected, and stops saying it when it is back", () => {
    render(NowPlayingBar);
    playing(0, { output: { kind: "standing_in", device: "Speakers", wanted: "USB DAC" } });
    expect(screen.getByTestId("output-standing-in").textContent?.trim()).toBe(
      "USB DAC is not connected — playing through Speakers",
    );
    engine(makeQueueStatus(album, 0, { output: { kind: "available", device: "USB DAC" } }));
    expect(screen.queryByTestId("output-standing-in")).toBeNull();
  });

  it("toggles shuffle with aria-pressed", async () => {
    render(NowPlayingBar);
    playing(0);
    const shuffle = screen.getByTestId("shuffle");
    expect(shuffle.getAttribute("aria-pressed")).toBe("false");
    await fireEvent.click(shuffle);
    expect(mocked.setShuffle).toHaveBeenCalledWith(true);
    expect(shuffle.getAttribute("aria-pressed")).toBe("true");
  });

  it("cycles repeat off → all → one → off, labelling each", async () => {
    render(NowPlayingBar);
    playing(0);
    const repeat = screen.getByTestId("repeat");
    const seen = [[repeat.getAttribute("aria-label"), repeat.getAttribute("aria-pressed")]];
    for (let i = 0; i < 3; i++) {
      await fireEvent.click(repeat);
      seen.push([repeat.getAttribute("aria-label"), repeat.getAttribute("aria-pressed")]);
    }
    expect(seen).toEqual([
      ["Repeat: off", "false"],
      ["Repeat: all", "true"],
      ["Repeat: one", "true"],
      ["Repeat: off", "false"],
    ]);
    expect(mocked.setRepeat.mock.calls).toEqual([["all"], ["one"], ["off"]]);
  });

  it("sets the volume from the slider and mutes", async () => {
    render(NowPlayingBar);
    engine(makeStatus({ volume: 0.8 }));
    const volume = screen.getByTestId("volume") as HTMLInputElement;
    expect(volume.value).toBe("80");
    expect(volume.getAttribute("aria-label")).toBe("Volume");

    await fireEvent.input(volume, { target: { value: "35" } });
    expect(mocked.setVolume).toHaveBeenLastCalledWith(0.35);

    await fireEvent.keyDown(volume, { key: "ArrowUp" });
    expect(mocked.setVolume).toHaveBeenLastCalledWith(0.4);

    await fireEvent.click(screen.getByTestId("mute"));
    expect(mocked.setMuted).toHaveBeenLastCalledWith(true);
    expect(volume.value).toBe("0");
    expect(screen.getByTestId("mute").getAttribute("aria-label")).toBe("Unmute");
  });
});

describe("NowPlayingBar seek bar", () => {
  it("describes the position as a slider", () => {
    render(NowPlayingBar);
    playing(0, { position_ms: 65_000, duration_ms: 200_000, buffered_ms: 100_000 });
    const slider = screen.getByRole("slider", { name: "Seek" });
    expect(slider.dataset.testid).toBe("seek-bar");
    expect(slider.getAttribute("aria-valuemin")).toBe("0");
    expect(slider.getAttribute("aria-valuemax")).toBe("200");
    expect(slider.getAttribute("aria-valuenow")).toBe("65");
    expect(slider.getAttribute("aria-valuetext")).toBe("1:05 of 3:20");
    expect(screen.getByTestId("position").textContent).toBe("1:05");
    expect(screen.getByTestId("duration").textContent).toBe("3:20");
    expect(screen.getByTestId("seek-played").style.width).toBe("32.5%");
    expect(screen.getByTestId("seek-buffered").style.width).toBe("50%");
  });

  it("seeks 5 s with the arrow keys, from where the last press went", async () => {
    render(NowPlayingBar);
    playing(0, { position_ms: 60_000 });
    const slider = screen.getByTestId("seek-bar");
    await fireEvent.keyDown(slider, { key: "ArrowRight" });
    await fireEvent.keyDown(slider, { key: "ArrowRight" });
    await fireEvent.keyDown(slider, { key: "ArrowLeft" });
    expect(mocked.seek.mock.calls).toEqual([[65_000], [70_000], [65_000]]);
    expect(screen.getByTestId("position").textContent).toBe("1:05");
  });

  it("leaves Ctrl+arrows to the global shortcuts", async () => {
    render(NowPlayingBar);
    playing(0, { position_ms: 60_000 });
    await fireEvent.keyDown(screen.getByTestId("seek-bar"), { key: "ArrowRight", ctrlKey: true });
    expect(mocked.seek).not.toHaveBeenCalled();
  });

  it("follows a drag and seeks once, on release", async () => {
    render(NowPlayingBar);
    playing(0, { position_ms: 0, duration_ms: 200_000 });
    const slider = screen.getByTestId("seek-bar");
    // The rail spans x = 100..300 (jsdom has no layout).
    vi.spyOn(HTMLElement.prototype, "getBoundingClientRect").mockReturnValue(
      DOMRect.fromRect({ x: 100, y: 0, width: 200, height: 4 }),
    );

    await fireEvent.pointerDown(slider, { button: 0, pointerId: 1, clientX: 150 });
    expect(screen.getByTestId("position").textContent).toBe("0:50");
    await fireEvent.pointerMove(slider, { pointerId: 1, clientX: 250 });
    expect(screen.getByTestId("position").textContent).toBe("2:30");
    expect(slider.getAttribute("aria-valuenow")).toBe("150");
    expect(mocked.seek).not.toHaveBeenCalled();

    await fireEvent.pointerUp(slider, { pointerId: 1, clientX: 260 });
    expect(mocked.seek.mock.calls).toEqual([[160_000]]);
    // The thumb stays at the target while the engine gets there.
    playing(0, { position_ms: 250, duration_ms: 200_000 });
    expect(screen.getByTestId("position").textContent).toBe("2:40");
  });

  it("drops a cancelled drag without seeking", async () => {
    render(NowPlayingBar);
    playing(0, { position_ms: 0, duration_ms: 200_000 });
    const slider = screen.getByTestId("seek-bar");
    await fireEvent.pointerDown(slider, { button: 0, pointerId: 1, clientX: 150 });
    await fireEvent.pointerCancel(slider, { pointerId: 1 });
    expect(mocked.seek).not.toHaveBeenCalled();
    expect(screen.getByTestId("position").textContent).toBe("0:00");
  });
});

describe("NowPlayingBar queue", () => {
  it("opens a panel listing the queue with the current track marked", async () => {
    render(NowPlayingBar);
    playing(1);
    const toggle = screen.getByTestId("queue-toggle");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(toggle.getAttribute("aria-label")).toBe("Queue, 3 tracks");
    expect(toggle.getAttribute("title")).toBe("Queue · next: Song 3");
    expect(screen.queryByTestId("queue-panel")).toBeNull();

    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const panel = screen.getByTestId("queue-panel");
    expect(toggle.getAttribute("aria-controls")).toBe(panel.id);
    const items = await within(panel).findAllByTestId("queue-item");
    expect(items.map((item) => item.textContent)).toEqual(["Song 1", "Song 2", "Song 3"]);
    expect(items.map((item) => item.getAttribute("aria-current"))).toEqual([null, "true", null]);
  });

  it("jumps to a clicked entry", async () => {
    render(NowPlayingBar);
    playing(0);
    await fireEvent.click(screen.getByTestId("queue-toggle"));
    await fireEvent.click((await screen.findAllByTestId("queue-item"))[2]);
    expect(mocked.jump).toHaveBeenCalledWith(102);
  });

  it("says when the queue is empty", async () => {
    render(NowPlayingBar);
    await fireEvent.click(screen.getByTestId("queue-toggle"));
    expect(screen.getByTestId("queue-panel").textContent).toContain("Nothing queued");
  });

  it("closes on Escape, giving focus back to the toggle", async () => {
    render(NowPlayingBar);
    playing(0);
    const toggle = screen.getByTestId("queue-toggle");
    await fireEvent.click(toggle);
    (await screen.findAllByTestId("queue-item"))[0].focus();
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByTestId("queue-panel")).toBeNull();
    expect(document.activeElement).toBe(toggle);
  });

  it("stays open while the bar's own controls are used", async () => {
    render(NowPlayingBar);
    playing(0);
    await fireEvent.click(screen.getByTestId("queue-toggle"));
    const playPause = screen.getByTestId("play-pause");
    await fireEvent.pointerDown(playPause);
    await fireEvent.click(playPause);
    expect(mocked.pause).toHaveBeenCalledOnce();
    expect(screen.getByTestId("queue-panel")).toBeTruthy();
  });

  it("closes on a click elsewhere", async () => {
    render(NowPlayingBar);
    await fireEvent.click(screen.getByTestId("queue-toggle"));
    await fireEvent.pointerDown(document.body);
    expect(screen.queryByTestId("queue-panel")).toBeNull();
  });
});
