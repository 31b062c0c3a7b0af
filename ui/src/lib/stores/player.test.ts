import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import { deferred, ENTRY_ID_BASE, makeQueueStatus, makeQueueView, makeStatus, makeTrack } from "../../test/fixtures";
import type { PlayerStatus, QueueView } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  onPlayerStatus: vi.fn(),
  playerStatus: vi.fn(),
  onQueueChanged: vi.fn(),
  queueView: vi.fn(),
  queuePage: vi.fn(),
  playNext: vi.fn(),
  addToQueue: vi.fn(),
  moveInQueue: vi.fn(),
  removeFromQueue: vi.fn(),
  clearQueue: vi.fn(),
  saveQueueAsPlaylist: vi.fn(),
  playTrack: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  playQueue: vi.fn(),
  jump: vi.fn(),
  next: vi.fn(),
  previous: vi.fn(),
  seek: vi.fn(),
  setVolume: vi.fn(),
  setMuted: vi.fn(),
  setShuffle: vi.fn(),
  setRepeat: vi.fn(),
  setWindowShown: vi.fn(),
}));

import * as ipc from "../../ipc";
import { EDIT_ANSWER_MS } from "$lib/features/queue/queue.svelte";
import { CONFIRM_GRACE_MS, IDLE_STATUS, nextRepeatMode, PlayerStore } from "./player.svelte";

const mocked = vi.mocked(ipc);
const track = makeTrack("t1", { duration_ms: 200_000 });
let emit: (status: PlayerStatus) => void;
let emitQueue: (view: QueueView) => void;
let unlisten: Mock<() => void>;

beforeEach(() => {
  vi.resetAllMocks();
  unlisten = vi.fn<() => void>();
  mocked.onPlayerStatus.mockImplementation(async (callback) => {
    emit = callback;
    return unlisten;
  });
  mocked.playerStatus.mockResolvedValue(makeStatus());
  mocked.onQueueChanged.mockImplementation(async (callback) => {
    emitQueue = callback;
    return unlisten;
  });
  mocked.queueView.mockResolvedValue(makeQueueView([], null, { revision: 0 }));
  mocked.playTrack.mockResolvedValue(undefined);
  mocked.pause.mockResolvedValue(undefined);
  mocked.resume.mockResolvedValue(undefined);
  for (const command of [
    "playQueue",
    "jump",
    "next",
    "previous",
    "seek",
    "setVolume",
    "setMuted",
    "setShuffle",
    "setRepeat",
    "playNext",
    "addToQueue",
    "moveInQueue",
    "removeFromQueue",
    "clearQueue",
  ] as const) {
    mocked[command].mockResolvedValue(undefined);
  }
});

afterEach(() => {
  vi.useRealTimers();
});

async function startedStore(status?: PlayerStatus, queue?: QueueView): Promise<PlayerStore> {
  const store = new PlayerStore();
  await store.start();
  if (queue) emitQueue(queue);
  if (status) emit(status);
  return store;
}

const album = ["a1", "a2", "a3"].map((id, i) => makeTrack(id, { track_number: i + 1, duration_ms: 200_000 }));

describe("PlayerStore status", () => {
  it("takes the current status, then follows events", async () => {
    mocked.playerStatus.mockResolvedValue(makeStatus({ state: "paused", track, position_ms: 5_000 }));
    const store = new PlayerStore();
    await store.start();
    expect(store.status.state).toBe("paused");

    emit(makeStatus({ state: "playing", track, position_ms: 5_250 }));
    expect(store.status.position_ms).toBe(5_250);
    expect(store.isPlaying).toBe(true);
  });

  it("keeps an event that arrives before the initial snapshot returns", async () => {
    const snapshot = deferred<PlayerStatus>();
    mocked.playerStatus.mockReturnValue(snapshot.promise);
    const store = new PlayerStore();

    const starting = store.start();
    await vi.waitFor(() => expect(mocked.playerStatus).toHaveBeenCalled());
    emit(makeStatus({ state: "playing", track, position_ms: 9_000 }));
    snapshot.resolve(makeStatus({ state: "paused", track, position_ms: 1_000 }));
    await starting;

    expect(store.status.position_ms).toBe(9_000);
  });

  it("stops listening and forgets the status on stop", async () => {
    const store = new PlayerStore();
    await store.start();
    emit(makeStatus({ state: "playing", track }));
    store.stop();
    expect(unlisten).toHaveBeenCalledTimes(2);
    expect(store.status).toEqual(IDLE_STATUS);
  });

  it("falls back to the track's duration when the engine doesn't know it yet", async () => {
    const store = new PlayerStore();
    await store.start();
    emit(makeStatus({ state: "loading", track, duration_ms: null }));
    expect(store.durationMs).toBe(200_000);
    emit(makeStatus({ state: "playing", track, duration_ms: 199_500 }));
    expect(store.durationMs).toBe(199_500);
  });
});

describe("PlayerStore commands", () => {
  it.each([
    ["playing", "pause"],
    ["loading", "pause"],
    ["paused", "resume"],
  ] as const)("toggles from %s by calling %s", async (state, command) => {
    const store = new PlayerStore();
    await store.start();
    emit(makeStatus({ state, track }));
    await store.togglePlayPause();
    expect(mocked[command]).toHaveBeenCalledOnce();
    expect(mocked.playTrack).not.toHaveBeenCalled();
  });

  it("replays the track after it ended", async () => {
    const store = new PlayerStore();
    await store.start();
    emit(makeStatus({ state: "ended", track }));
    await store.togglePlayPause();
    expect(mocked.playTrack).toHaveBeenCalledWith("t1");
  });

  it("does nothing without a track", async () => {
    const store = new PlayerStore();
    await store.togglePlayPause();
    expect(mocked.playTrack).not.toHaveBeenCalled();
    expect(mocked.resume).not.toHaveBeenCalled();
  });

  it("reports a failed command, preferring the engine's own error", async () => {
    mocked.playTrack.mockRejectedValue({ kind: "not_found", message: "Track is gone" });
    const store = new PlayerStore();
    await store.start();
    await store.play("t1");
    expect(store.error).toEqual({ kind: "not_found", message: "Track is gone" });

    emit(makeStatus({ state: "error", track, error: { kind: "playback", message: "Decoder failed" } }));
    expect(store.error?.message).toBe("Decoder failed");
  });
});

describe("PlayerStore queue", () => {
  const entryIds = (store: PlayerStore) =>
    Array.from({ length: store.queue.length }, (_, index) => store.queue.entryAt(index)?.entry_id);

  it("plays a list as the queue from the chosen track", async () => {
    const store = await startedStore();
    await store.playQueue(["a1", "a2", "a3"], 1);
    expect(mocked.playQueue).toHaveBeenCalledWith(["a1", "a2", "a3"], 1);
  });

  it("doesn't ask for a start outside the list", async () => {
    const store = await startedStore();
    await store.playQueue(["a1"], 1);
    await store.playQueue([], 0);
    expect(mocked.playQueue).not.toHaveBeenCalled();
  });

  it("takes the queue from its own event, not from the status", async () => {
    const store = await startedStore(makeQueueStatus(album, 2), makeQueueView(album, 2));
    expect(store.queue.length).toBe(3);
    expect(store.queue.current).toBe(2);
    expect(store.queue.nowPlaying?.track_id).toBe("a3");
    expect(store.canSkip).toBe(true);

    // A position tick leaves the queue alone.
    emit(makeQueueStatus(album, 2, { position_ms: 9_000 }));
    expect(store.queue.length).toBe(3);
  });

  it("reads the queue at start, unless an event came first", async () => {
    mocked.queueView.mockResolvedValue(makeQueueView(album, 1, { revision: 4 }));
    const store = await startedStore();
    expect(store.queue.current).toBe(1);
    expect(entryIds(store)).toEqual([100, 101, 102]);

    const snapshot = deferred<QueueView>();
    mocked.queueView.mockReturnValue(snapshot.promise);
    const other = new PlayerStore();
    const starting = other.start();
    await vi.waitFor(() => expect(mocked.queueView).toHaveBeenCalledTimes(2));
    emitQueue(makeQueueView(album.slice(0, 2), 0, { revision: 9 }));
    snapshot.resolve(makeQueueView(album, 1, { revision: 4 }));
    await starting;
    expect(other.queue.length).toBe(2);
  });

  it("follows the status even when the queue cannot be read, saying so", async () => {
    mocked.queueView.mockRejectedValue({ kind: "internal", message: "No queue" });
    mocked.playerStatus.mockResolvedValue(makeStatus({ state: "paused", track }));
    const store = new PlayerStore();
    await store.start();
    expect(store.status.state).toBe("paused");
    expect(store.error?.message).toBe("No queue");
  });

  it("can't skip without a current entry", async () => {
    const store = await startedStore(makeStatus(), makeQueueView(album, null));
    expect(store.canSkip).toBe(false);
  });

  it("jumps to an entry by its id, next and previous", async () => {
    const store = await startedStore(makeQueueStatus(album, 0), makeQueueView(album, 0));
    await store.jump(ENTRY_ID_BASE + 2);
    await store.next();
    await store.previous();
    expect(mocked.jump.mock.calls).toEqual([[102]]);
    expect(mocked.next).toHaveBeenCalledOnce();
    expect(mocked.previous).toHaveBeenCalledOnce();
  });

  it("queues tracks to play next or later, never an empty list", async () => {
    const store = await startedStore();
    await store.playNext(["a1"]);
    await store.addToQueue(["a2", "a2"]);
    await store.playNext([]);
    await store.addToQueue([]);
    expect(mocked.playNext.mock.calls).toEqual([[["a1"]]]);
    expect(mocked.addToQueue.mock.calls).toEqual([[["a2", "a2"]]]);
  });

  it("shows a move at once, and keeps it when the core agrees", async () => {
    const store = await startedStore(makeQueueStatus(album, 0), makeQueueView(album, 0));
    await store.moveInQueue([102], 1);
    expect(mocked.moveInQueue).toHaveBeenCalledWith([102], 1);
    expect(entryIds(store)).toEqual([100, 102, 101]);

    const moved = [album[0], album[2], album[1]];
    const view = makeQueueView(moved, 0, { revision: 2 });
    view.window!.entries = view.window!.entries.map((entry, index) => ({ ...entry, entry_id: [100, 102, 101][index] }));
    emitQueue(view);
    expect(entryIds(store)).toEqual([100, 102, 101]);
    expect(store.queue.cache.pending).toEqual([]);
  });

  it("removes and clears at once, keeping the entry playing", async () => {
    const store = await startedStore(makeQueueStatus(album, 1), makeQueueView(album, 1));
    await store.removeFromQueue([101, 100]);
    expect(mocked.removeFromQueue).toHaveBeenCalledWith([101, 100]);
    expect(entryIds(store)).toEqual([101, 102]);
    expect(store.queue.current).toBe(0);

    await store.clearQueue();
    expect(mocked.clearQueue).toHaveBeenCalledOnce();
    expect(entryIds(store)).toEqual([101]);
  });

  it("shows the core's queue again when an edit fails", async () => {
    mocked.moveInQueue.mockRejectedValue({ kind: "internal", message: "lost" });
    const view = makeQueueView(album, 0);
    mocked.queueView.mockResolvedValue(view);
    const store = await startedStore(makeQueueStatus(album, 0), view);
    await store.moveInQueue([102], 1);
    expect(store.error?.message).toBe("lost");
    expect(entryIds(store)).toEqual([100, 101, 102]);
  });

  it("asks the core again when an edit shown ahead goes unanswered", async () => {
    vi.useFakeTimers();
    const view = makeQueueView(album, 0);
    mocked.queueView.mockResolvedValue(view);
    const store = await startedStore(makeQueueStatus(album, 0), view);
    await store.removeFromQueue([102]);
    expect(store.queue.length).toBe(2);
    await vi.advanceTimersByTimeAsync(EDIT_ANSWER_MS);
    expect(store.queue.length).toBe(3);
    expect(store.queue.cache.pending).toEqual([]);
  });

  it("saves the queue as a playlist under a name, refusing a blank one", async () => {
    const playlist = { id: "p1", name: "Road", description: "", item_count: 3, unsynced_edits: 1, offline: false, public: false, duration_ms: 0 };
    mocked.saveQueueAsPlaylist.mockResolvedValue(playlist);
    const store = await startedStore();
    await expect(store.saveQueueAsPlaylist("  Road ")).resolves.toEqual(playlist);
    expect(mocked.saveQueueAsPlaylist).toHaveBeenCalledWith("Road");
    await expect(store.saveQueueAsPlaylist("  ")).rejects.toMatchObject({ kind: "invalid_input" });

    mocked.saveQueueAsPlaylist.mockRejectedValue({ kind: "invalid_input", message: "The queue is empty." });
    await expect(store.saveQueueAsPlaylist("Road")).rejects.toEqual({
      kind: "invalid_input",
      message: "The queue is empty.",
    });
  });

  it("reports a failed play of the queue", async () => {
    mocked.playQueue.mockRejectedValue({ kind: "network", message: "Server unreachable" });
    const store = await startedStore();
    await store.playQueue(["a1", "a2"], 0);
    expect(store.error).toEqual({ kind: "network", message: "Server unreachable" });
  });

  it("replays an ended track in its queue rather than alone", async () => {
    const store = await startedStore(makeQueueStatus(album, 1, { state: "ended" }), makeQueueView(album, 1));
    await store.togglePlayPause();
    expect(mocked.jump).toHaveBeenCalledWith(101);
    expect(mocked.playTrack).not.toHaveBeenCalled();
  });

  it("stops following the queue on stop", async () => {
    const store = await startedStore(makeQueueStatus(album, 1), makeQueueView(album, 1));
    store.stop();
    expect(store.queue.length).toBe(0);
    expect(unlisten).toHaveBeenCalledTimes(2);
  });

  it("pauses while buffering and shows it", async () => {
    const store = await startedStore(makeQueueStatus(album, 0, { state: "buffering" }));
    expect(store.isBuffering).toBe(true);
    expect(store.isPlaying).toBe(true);
    await store.togglePlayPause();
    expect(mocked.pause).toHaveBeenCalledOnce();
  });
});

describe("PlayerStore seeking", () => {
  it("shows the target at once and keeps it until the engine gets there", async () => {
    const store = await startedStore(makeQueueStatus(album, 0, { position_ms: 10_000 }));
    await store.seek(120_000);
    expect(mocked.seek).toHaveBeenCalledWith(120_000);
    expect(store.positionMs).toBe(120_000);

    // A position report from before the seek doesn't move the thumb back.
    emit(makeQueueStatus(album, 0, { position_ms: 10_250 }));
    expect(store.positionMs).toBe(120_000);

    emit(makeQueueStatus(album, 0, { state: "loading", position_ms: 120_000 }));
    emit(makeQueueStatus(album, 0, { position_ms: 121_000 }));
    expect(store.positionMs).toBe(121_000);
  });

  it("trusts the engine again when it never confirms", async () => {
    vi.useFakeTimers();
    const store = await startedStore(makeQueueStatus(album, 0, { position_ms: 10_000 }));
    await store.seek(120_000);
    emit(makeQueueStatus(album, 0, { position_ms: 10_500 }));
    expect(store.positionMs).toBe(120_000);
    vi.advanceTimersByTime(CONFIRM_GRACE_MS);
    expect(store.positionMs).toBe(10_500);
  });

  it("drops the target when the seek fails", async () => {
    mocked.seek.mockRejectedValue({ kind: "playback", message: "Cannot seek" });
    const store = await startedStore(makeQueueStatus(album, 0, { position_ms: 10_000 }));
    await store.seek(120_000);
    expect(store.positionMs).toBe(10_000);
    expect(store.error?.message).toBe("Cannot seek");
  });

  it("drops the target when another track starts", async () => {
    const store = await startedStore(makeQueueStatus(album, 0, { position_ms: 10_000 }));
    await store.seek(120_000);
    emit(makeQueueStatus(album, 1, { position_ms: 0 }));
    expect(store.positionMs).toBe(0);
  });

  it("clamps to the track and does nothing without one", async () => {
    const store = await startedStore();
    await store.seek(5_000);
    expect(mocked.seek).not.toHaveBeenCalled();

    emit(makeQueueStatus(album, 0, { position_ms: 3_000, duration_ms: 200_000 }));
    await store.seekBy(-5_000);
    await store.seek(999_999);
    expect(mocked.seek.mock.calls).toEqual([[0], [200_000]]);
  });

  it("steps from the shown position, so repeated arrow presses add up", async () => {
    const store = await startedStore(makeQueueStatus(album, 0, { position_ms: 10_000 }));
    await store.seekBy(5_000);
    await store.seekBy(5_000);
    expect(mocked.seek.mock.calls).toEqual([[15_000], [20_000]]);
  });

  it("sends only the latest target of a burst while one is in flight", async () => {
    const first = deferred<void>();
    mocked.seek.mockReturnValueOnce(first.promise);
    const store = await startedStore(makeQueueStatus(album, 0, { position_ms: 0 }));

    const sending = store.seek(10_000);
    void store.seek(20_000);
    const last = store.seek(30_000);
    expect(store.positionMs).toBe(30_000);
    first.resolve();
    await Promise.all([sending, last]);

    expect(mocked.seek.mock.calls).toEqual([[10_000], [30_000]]);
  });
});

describe("PlayerStore volume, shuffle and repeat", () => {
  it("shows a new volume at once and sends it clamped", async () => {
    const store = await startedStore(makeStatus({ volume: 0.8 }));
    await store.setVolume(1.4);
    expect(store.volume).toBe(1);
    expect(mocked.setVolume).toHaveBeenCalledWith(1);
    emit(makeStatus({ volume: 1 }));
    expect(store.volume).toBe(1);
  });

  it("goes back to the engine's volume when setting it fails", async () => {
    mocked.setVolume.mockRejectedValue({ kind: "internal", message: "no" });
    const store = await startedStore(makeStatus({ volume: 0.8 }));
    await store.setVolume(0.2);
    expect(store.volume).toBe(0.8);
  });

  it("mutes and unmutes back to the volume before, through the core", async () => {
    const store = await startedStore(makeStatus({ volume: 0.6 }));
    await store.toggleMute();
    expect(store.isMuted).toBe(true);
    emit(makeStatus({ volume: 0 }));
    await store.toggleMute();
    expect(mocked.setMuted.mock.calls).toEqual([[true], [false]]);
    expect(mocked.setVolume).not.toHaveBeenCalled();
    expect(store.volume).toBe(0.6);
  });

  it("unmutes a mute kept from the last run to the volume the core brings back", async () => {
    const store = await startedStore(makeStatus({ volume: 0 }));
    expect(store.isMuted).toBe(true);
    await store.toggleMute();
    expect(mocked.setMuted).toHaveBeenCalledWith(false);
    emit(makeStatus({ volume: 0.4 }));
    expect(store.volume).toBe(0.4);
    expect(store.isMuted).toBe(false);
  });

  it("cycles repeat off → all → one → off", () => {
    expect(nextRepeatMode("off")).toBe("all");
    expect(nextRepeatMode("all")).toBe("one");
    expect(nextRepeatMode("one")).toBe("off");
  });

  it("cycles repeat from what it shows, so quick clicks before the engine answers count", async () => {
    const store = await startedStore(makeStatus({ repeat: "off" }));
    await store.cycleRepeat();
    expect(store.repeat).toBe("all");
    await store.cycleRepeat();
    expect(store.repeat).toBe("one");
    expect(mocked.setRepeat.mock.calls).toEqual([["all"], ["one"]]);
    emit(makeStatus({ repeat: "one" }));
    expect(store.repeat).toBe("one");
  });

  it("toggles shuffle and follows the engine if it disagrees", async () => {
    vi.useFakeTimers();
    const store = await startedStore(makeStatus({ shuffle: false }));
    await store.toggleShuffle();
    expect(mocked.setShuffle).toHaveBeenCalledWith(true);
    expect(store.shuffle).toBe(true);
    emit(makeStatus({ shuffle: false }));
    vi.advanceTimersByTime(CONFIRM_GRACE_MS);
    expect(store.shuffle).toBe(false);
  });

  it("forgets values shown ahead of the engine on stop", async () => {
    const store = await startedStore(makeQueueStatus(album, 0, { position_ms: 0, volume: 1 }));
    await store.seek(50_000);
    await store.setVolume(0.3);
    store.stop();
    expect(store.positionMs).toBe(0);
    expect(store.volume).toBe(1);
  });
});

describe("a hidden window", () => {
  /** A page whose visibility the test sets, as the window system would. */
  function fakeDocument() {
    const listeners = new Set<() => void>();
    const page = {
      hidden: false,
      addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
      removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
      set(hidden: boolean) {
        page.hidden = hidden;
        for (const listener of listeners) listener();
      },
      listeners,
    };
    vi.stubGlobal("document", page);
    return page;
  }

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("tells the core it is seen at start, when hidden and shown again, and stops listening when stopped", async () => {
    const page = fakeDocument();
    mocked.setWindowShown.mockResolvedValue(undefined);
    const store = new PlayerStore();
    await store.start();
    expect(mocked.setWindowShown.mock.calls).toEqual([[true]]);
    page.set(true);
    page.set(false);
    expect(mocked.setWindowShown.mock.calls).toEqual([[true], [false], [true]]);
    store.stop();
    expect(page.listeners.size).toBe(0);
  });

  it("says so at once when the page starts hidden, and a refusal costs nothing but CPU", async () => {
    const page = fakeDocument();
    page.hidden = true;
    mocked.setWindowShown.mockRejectedValue({ kind: "internal", message: "no" });
    const store = new PlayerStore();
    await store.start();
    expect(mocked.setWindowShown).toHaveBeenCalledWith(false);
    expect(store.commandError).toBeNull();
    store.stop();
  });
});
