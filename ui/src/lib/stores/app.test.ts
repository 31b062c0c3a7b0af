import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError } from "../../ipc";
import { makeTrack } from "../../test/fixtures";

const ended = vi.hoisted(() => ({ listener: null as ((error: AppError) => void) | null }));

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  onSessionEnded: vi.fn((listener: (error: AppError) => void) => {
    ended.listener = listener;
    return () => {
      ended.listener = null;
    };
  }),
}));

import { watchSessionEnd } from "./app";
import { catalogStore } from "./catalog.svelte";
import { sessionStore } from "./session.svelte";

beforeEach(() => {
  sessionStore.phase = "signed_in";
  sessionStore.current = { service_url: "http://music.local", username: "ana" };
  sessionStore.error = null;
  catalogStore.tracks = [makeTrack("t1")];
});

describe("watchSessionEnd", () => {
  it("goes back to sign-in with the words and forgets the catalog when the session ends", () => {
    const unwatch = watchSessionEnd();
    ended.listener?.({ kind: "auth", message: "Your session has ended. Please sign in again." });

    expect(sessionStore.signedIn).toBe(false);
    expect(sessionStore.view).toEqual({ name: "sign_in" });
    expect(sessionStore.error?.message).toBe("Your session has ended. Please sign in again.");
    expect(catalogStore.tracks).toEqual([]);

    unwatch();
    expect(ended.listener).toBeNull();
  });
});
