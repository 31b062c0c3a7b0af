import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError } from "../../ipc";
import { makeTrack, makeSession } from "../../test/fixtures";

const ended = vi.hoisted(() => ({ listener: null as ((error: AppError) => void) | null }));
const elsewhere = vi.hoisted(() => ({ listener: null as (() => void) | null, stopped: 0 }));

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  onSessionEnded: vi.fn((listener: (error: AppError) => void) => {
    ended.listener = listener;
    return () => {
      ended.listener = null;
    };
  }),
  onSignedOutElsewhere: vi.fn((listener: () => void) => {
    elsewhere.listener = listener;
    return Promise.resolve(() => {
      elsewhere.listener = null;
      elsewhere.stopped += 1;
    });
  }),
  signOut: vi.fn(() => Promise.resolve()),
  switchAccount: vi.fn(),
  stars: vi.fn(),
  catalogTracks: vi.fn(() => new Promise(() => {})),
  playlists: vi.fn(() => new Promise(() => {})),
}));

import * as ipc from "../../ipc";
import { starsStore } from "$lib/features/starred/stars.svelte";
import { switchAccount, watchSessionEnd } from "./app";
import { catalogStore } from "./catalog.svelte";
import { sessionStore } from "./session.svelte";

beforeEach(() => {
  sessionStore.phase = "signed_in";
  sessionStore.current = makeSession("http://music.local", "ana");
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

  it("signs out here too, with the reason, when the listener signed out on another device", async () => {
    elsewhere.stopped = 0;
    vi.mocked(ipc.signOut).mockClear();
    const unwatch = watchSessionEnd();
    await vi.waitFor(() => expect(elsewhere.listener).not.toBeNull());
    elsewhere.listener?.();

    expect(ipc.signOut).toHaveBeenCalledTimes(1);
    expect(sessionStore.signedIn).toBe(false);
    expect(sessionStore.view).toEqual({ name: "sign_in" });
    expect(sessionStore.error?.message).toBe("You signed out on another device. Sign in again to go on here.");
    expect(catalogStore.tracks).toEqual([]);

    // Signed out already (a second notice, or none signed in): nothing more happens.
    elsewhere.listener?.();
    expect(ipc.signOut).toHaveBeenCalledTimes(1);
    unwatch();
    expect(elsewhere.stopped).toBe(1);
  });
});

describe("switchAccount", () => {
  it("reads the new account's stars, as the main screen stays mounted", async () => {
    const ben = makeSession("http://music.local/rest/", "ben", { kind: "open_subsonic" });
    vi.mocked(ipc.switchAccount).mockResolvedValue(ben);
    vi.mocked(ipc.stars).mockResolvedValue([{ kind: "track", id: "t9" }]);
    starsStore.reset();

    expect(await switchAccount({ service_url: ben.service_url, username: "ben" })).toBe(true);
    await vi.waitFor(() => expect(starsStore.has("track", "t9")).toBe(true));
  });
});
