import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeSession } from "../test/fixtures";

const tauri = vi.hoisted(() => ({
  invoke: vi.fn(),
  listen: vi.fn(),
  convertFileSrc: vi.fn(),
}));

vi.mock("@tauri-apps/api/core", () => ({
  invoke: tauri.invoke,
  convertFileSrc: tauri.convertFileSrc,
}));
vi.mock("@tauri-apps/api/event", () => ({ listen: tauri.listen }));

import * as ipc from "./index";

beforeEach(() => {
  tauri.invoke.mockReset();
  tauri.listen.mockReset();
  tauri.convertFileSrc.mockReset();
});

describe("commands", () => {
  it("sends camelCase argument keys", async () => {
    const step = { step: "signed_in", session: makeSession("http://s", "ana") };
    tauri.invoke.mockResolvedValue(step);
    await expect(ipc.signIn("http://s", "ana", "pw", true)).resolves.toEqual(step);
    expect(tauri.invoke).toHaveBeenCalledWith("sign_in", {
      serviceUrl: "http://s",
      username: "ana",
      password: "pw",
      staySignedIn: true,
    });
  });

  it("sends the account commands with their camelCase arguments", async () => {
    tauri.invoke.mockResolvedValue(undefined);
    await ipc.answerChallenge("challenge-1", "123456");
    await ipc.staySignedIn();
    await ipc.restoreSession();
    await ipc.signUp("http://s", "ana", "pw", "ana@example.com");
    await ipc.confirmSignUp("http://s", "ana", "123456");
    await ipc.resendConfirmationCode("http://s", "ana");
    await ipc.forgotPassword("http://s", "ana");
    await ipc.confirmForgotPassword("http://s", "ana", "123456", "New-pw-1");
    await ipc.rememberedAccounts();
    await ipc.switchAccount("http://s", "ben");
    await ipc.forgetAccount("http://s", "ben");
    expect(tauri.invoke.mock.calls).toEqual([
      ["answer_challenge", { challengeId: "challenge-1", answer: "123456" }],
      ["stay_signed_in", undefined],
      ["restore_session", undefined],
      ["sign_up", { serviceUrl: "http://s", username: "ana", password: "pw", email: "ana@example.com" }],
      ["confirm_sign_up", { serviceUrl: "http://s", username: "ana", code: "123456" }],
      ["resend_confirmation_code", { serviceUrl: "http://s", username: "ana" }],
      ["forgot_password", { serviceUrl: "http://s", username: "ana" }],
      [
        "confirm_forgot_password",
        { serviceUrl: "http://s", username: "ana", code: "123456", newPassword: "New-pw-1" },
      ],
      ["remembered_accounts", undefined],
      ["switch_account", { serviceUrl: "http://s", username: "ben" }],
      ["forget_account", { serviceUrl: "http://s", username: "ben" }],
    ]);
  });

  it("passes cursors and track ids", async () => {
    tauri.invoke.mockResolvedValue(undefined);
    await ipc.catalogTracks(null);
    await ipc.catalogTracks("c2", 500);
    await ipc.refreshCatalog();
    await ipc.playTrack("t1");
    expect(tauri.invoke.mock.calls).toEqual([
      ["catalog_tracks", { cursor: null, limit: null }],
      ["catalog_tracks", { cursor: "c2", limit: 500 }],
      ["refresh_catalog", undefined],
      ["play_track", { trackId: "t1" }],
    ]);
  });

  it("sends the search query to both searches and returns their results", async () => {
    const found = { tracks: [], albums: [], artists: [{ id: "ar1", name: "Nova" }] };
    tauri.invoke.mockResolvedValue(found);
    await expect(ipc.searchLibrary("nov")).resolves.toEqual(found);
    await expect(ipc.searchCatalog("nova")).resolves.toEqual(found);
    expect(tauri.invoke.mock.calls).toEqual([
      ["search_library", { query: "nov" }],
      ["search_catalog", { query: "nova" }],
    ]);
  });

  it("sends the player commands with their camelCase arguments", async () => {
    tauri.invoke.mockResolvedValue(undefined);
    await ipc.playQueue(["a", "b", "c"], 1);
    await ipc.jump(2);
    await ipc.next();
    await ipc.previous();
    await ipc.seek(61_234.6);
    await ipc.setVolume(0.25);
    await ipc.setShuffle(true);
    await ipc.setRepeat("one");
    expect(tauri.invoke.mock.calls).toEqual([
      ["play_queue", { trackIds: ["a", "b", "c"], start: 1 }],
      ["jump", { entryId: 2 }],
      ["next", undefined],
      ["previous", undefined],
      ["seek", { positionMs: 61_235 }],
      ["set_volume", { volume: 0.25 }],
      ["set_shuffle", { shuffle: true }],
      ["set_repeat", { repeat: "one" }],
    ]);
  });

  it("sends the queue commands, naming entries by their ids", async () => {
    tauri.invoke.mockResolvedValue(undefined);
    await ipc.playNext(["a"]);
    await ipc.addToQueue(["b", "b"]);
    await ipc.moveInQueue([7, 9], 2.4);
    await ipc.removeFromQueue([7]);
    await ipc.clearQueue();
    await ipc.saveQueueAsPlaylist("Road");
    await ipc.queueView();
    await ipc.queuePage(100, 50);
    expect(tauri.invoke.mock.calls).toEqual([
      ["play_next", { trackIds: ["a"] }],
      ["add_to_queue", { trackIds: ["b", "b"] }],
      ["move_in_queue", { entryIds: [7, 9], position: 2 }],
      ["remove_from_queue", { entryIds: [7] }],
      ["clear_queue", undefined],
      ["save_queue_as_playlist", { name: "Road" }],
      ["queue_view", undefined],
      ["queue_page", { offset: 100, limit: 50 }],
    ]);
  });

  it("keeps seek and volume within what the backend accepts", async () => {
    tauri.invoke.mockResolvedValue(undefined);
    await ipc.seek(-500);
    await ipc.setVolume(1.7);
    await ipc.setVolume(-0.2);
    expect(tauri.invoke.mock.calls).toEqual([
      ["seek", { positionMs: 0 }],
      ["set_volume", { volume: 1 }],
      ["set_volume", { volume: 0 }],
    ]);
  });

  it("rejects with the Rust AppError as sent", async () => {
    tauri.invoke.mockRejectedValue({ kind: "auth", message: "Wrong password" });
    await expect(ipc.signIn("u", "a", "b", false)).rejects.toEqual({ kind: "auth", message: "Wrong password" });
  });

  it("normalises a string rejection into an internal AppError", async () => {
    tauri.invoke.mockRejectedValue("state not managed");
    await expect(ipc.pause()).rejects.toEqual({ kind: "internal", message: "state not managed" });
  });
});

describe("onSessionEnded", () => {
  const ended = { kind: "auth", message: "Your session has ended. Please sign in again." };

  it("reports an auth error from a library command, then stops when unlistened", async () => {
    const listener = vi.fn();
    const unlisten = ipc.onSessionEnded(listener);
    tauri.invoke.mockRejectedValue(ended);

    await expect(ipc.catalogTracks(null)).rejects.toEqual(ended);
    expect(listener).toHaveBeenCalledWith(ended);

    unlisten();
    await expect(ipc.playTrack("t1")).rejects.toEqual(ended);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("ignores auth errors of sign-in attempts and other kinds of errors", async () => {
    const listener = vi.fn();
    const unlisten = ipc.onSessionEnded(listener);
    tauri.invoke.mockRejectedValueOnce({ kind: "auth", message: "Incorrect username or password." });
    await expect(ipc.signIn("u", "a", "b", false)).rejects.toBeDefined();
    tauri.invoke.mockRejectedValueOnce({ kind: "auth", message: "Wrong code." });
    await expect(ipc.answerChallenge("c", "1")).rejects.toBeDefined();
    tauri.invoke.mockRejectedValueOnce({ kind: "auth", message: "Your session has ended. Please sign in again." });
    await expect(ipc.switchAccount("http://s", "ben")).rejects.toBeDefined();
    tauri.invoke.mockRejectedValueOnce({ kind: "network", message: "Offline." });
    await expect(ipc.catalogTracks(null)).rejects.toBeDefined();
    expect(listener).not.toHaveBeenCalled();
    unlisten();
  });
});

describe("onPlayerStatus", () => {
  it("hands the event payload to the callback and returns the unlisten function", async () => {
    const unlisten = vi.fn();
    tauri.listen.mockResolvedValue(unlisten);
    const callback = vi.fn();

    const result = await ipc.onPlayerStatus(callback);
    const [eventName, handler] = tauri.listen.mock.calls[0];
    handler({ event: eventName, id: 1, payload: { state: "playing" } });

    expect(eventName).toBe("player-status");
    expect(callback).toHaveBeenCalledWith({ state: "playing" });
    expect(result).toBe(unlisten);
  });
});

describe("library commands", () => {
  it("sends the playlist, sync and download commands with their camelCase arguments", async () => {
    tauri.invoke.mockResolvedValue(undefined);
    await ipc.playlists();
    await ipc.playlist("p1");
    await ipc.createPlaylist("Run", "Fast ones");
    await ipc.renamePlaylist("p1", "Walk");
    await ipc.describePlaylist("p1", "Slow ones");
    await ipc.deletePlaylist("p1");
    await ipc.addToPlaylist("p1", ["t1", "t2"]);
    await ipc.addToPlaylist("p1", ["t3"], 0);
    await ipc.removeFromPlaylist("p1", "i1");
    await ipc.moveInPlaylist("p1", "i1", 2);
    await ipc.playPlaylist("p1", 3);
    await ipc.syncStatus();
    await ipc.syncNow();
    await ipc.dismissSyncNotice(7);
    await ipc.setOffline({ kind: "playlist", id: "p1" }, true);
    await ipc.downloadsStatus();
    await ipc.pauseDownloads();
    await ipc.resumeDownloads();
    expect(tauri.invoke.mock.calls).toEqual([
      ["playlists", undefined],
      ["playlist", { id: "p1" }],
      ["create_playlist", { name: "Run", description: "Fast ones" }],
      ["rename_playlist", { id: "p1", name: "Walk" }],
      ["describe_playlist", { id: "p1", description: "Slow ones" }],
      ["delete_playlist", { id: "p1" }],
      ["add_to_playlist", { id: "p1", trackIds: ["t1", "t2"], position: null }],
      ["add_to_playlist", { id: "p1", trackIds: ["t3"], position: 0 }],
      ["remove_from_playlist", { id: "p1", itemId: "i1" }],
      ["move_in_playlist", { id: "p1", itemId: "i1", position: 2 }],
      ["play_playlist", { id: "p1", start: 3 }],
      ["sync_status", undefined],
      ["sync_now", undefined],
      ["dismiss_sync_notice", { id: 7 }],
      ["set_offline", { target: { kind: "playlist", id: "p1" }, offline: true }],
      ["downloads_status", undefined],
      ["pause_downloads", undefined],
      ["resume_downloads", undefined],
    ]);
  });

  it("listens to the library events by name", async () => {
    const handlers = new Map<string, (event: { payload: unknown }) => void>();
    tauri.listen.mockImplementation(async (name: string, handler: (event: { payload: unknown }) => void) => {
      handlers.set(name, handler);
      return () => {};
    });
    const changed = vi.fn();
    const sync = vi.fn();
    const downloads = vi.fn();
    const catalog = vi.fn();
    await ipc.onPlaylistsChanged(changed);
    await ipc.onSyncStatus(sync);
    await ipc.onDownloadsStatus(downloads);
    await ipc.onCatalogChanged(catalog);

    handlers.get("playlists-changed")?.({ payload: null });
    handlers.get("sync-status")?.({ payload: { state: "syncing" } });
    handlers.get("downloads-status")?.({ payload: { paused: true } });
    handlers.get("catalog-changed")?.({ payload: { changed: { kept: 3, cursor: "rank:2" } } });
    expect(changed).toHaveBeenCalledWith();
    expect(sync).toHaveBeenCalledWith({ state: "syncing" });
    expect(downloads).toHaveBeenCalledWith({ paused: true });
    expect(catalog).toHaveBeenCalledWith({ changed: { kept: 3, cursor: "rank:2" } });
  });

  it("rejects with an AppError when listening fails", async () => {
    tauri.listen.mockRejectedValue("no window");
    await expect(ipc.onSyncStatus(vi.fn())).rejects.toEqual({ kind: "internal", message: "no window" });
  });
});

describe("coverUrl", () => {
  it("asks Tauri for the cover scheme URL", () => {
    tauri.convertFileSrc.mockReturnValue("cover://localhost/al1");
    expect(ipc.coverUrl("al1")).toBe("cover://localhost/al1");
    expect(tauri.convertFileSrc).toHaveBeenCalledWith("al1", "cover");
  });

  it("is empty outside Tauri so the fallback shows", () => {
    tauri.convertFileSrc.mockImplementation(() => {
      throw new TypeError("window.__TAURI_INTERNALS__ is undefined");
    });
    expect(ipc.coverUrl("al1")).toBe("");
  });
});
