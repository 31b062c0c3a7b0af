import { beforeEach, describe, expect, it, vi } from "vitest";

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
    tauri.invoke.mockResolvedValue({ service_url: "http://s", username: "ana" });
    await expect(ipc.signIn("http://s", "ana", "pw")).resolves.toEqual({
      service_url: "http://s",
      username: "ana",
    });
    expect(tauri.invoke).toHaveBeenCalledWith("sign_in", {
      serviceUrl: "http://s",
      username: "ana",
      password: "pw",
    });
  });

  it("passes cursors and track ids", async () => {
    tauri.invoke.mockResolvedValue(undefined);
    await ipc.catalogTracks(null);
    await ipc.catalogTracks("c2");
    await ipc.playTrack("t1");
    expect(tauri.invoke.mock.calls).toEqual([
      ["catalog_tracks", { cursor: null }],
      ["catalog_tracks", { cursor: "c2" }],
      ["play_track", { trackId: "t1" }],
    ]);
  });

  it("rejects with the Rust AppError as sent", async () => {
    tauri.invoke.mockRejectedValue({ kind: "auth", message: "Wrong password" });
    await expect(ipc.signIn("u", "a", "b")).rejects.toEqual({ kind: "auth", message: "Wrong password" });
  });

  it("normalises a string rejection into an internal AppError", async () => {
    tauri.invoke.mockRejectedValue("state not managed");
    await expect(ipc.pause()).rejects.toEqual({ kind: "internal", message: "state not managed" });
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
