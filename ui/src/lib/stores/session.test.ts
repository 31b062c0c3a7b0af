import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred } from "../../test/fixtures";
import type { Session } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  defaultServiceUrl: vi.fn(),
  session: vi.fn(),
  signIn: vi.fn(),
  signOut: vi.fn(),
}));

import * as ipc from "../../ipc";
import { SessionStore } from "./session.svelte";

const mocked = vi.mocked(ipc);
const ana: Session = { service_url: "http://music.local", username: "ana" };

beforeEach(() => {
  vi.resetAllMocks();
  mocked.defaultServiceUrl.mockResolvedValue("http://music.local");
});

describe("SessionStore", () => {
  it("is signed out with the default URL when there is no session", async () => {
    mocked.session.mockResolvedValue(null);
    const store = new SessionStore();
    await store.init();
    expect(store.phase).toBe("signed_out");
    expect(store.signedIn).toBe(false);
    expect(store.defaultServiceUrl).toBe("http://music.local");
  });

  it("resumes an existing session", async () => {
    mocked.session.mockResolvedValue(ana);
    const store = new SessionStore();
    await store.init();
    expect(store.signedIn).toBe(true);
    expect(store.current).toEqual(ana);
  });

  it("shows the sign-in form with the reason when the session check fails", async () => {
    mocked.session.mockRejectedValue({ kind: "internal", message: "keyring locked" });
    const store = new SessionStore();
    await store.init();
    expect(store.phase).toBe("signed_out");
    expect(store.error?.message).toBe("keyring locked");
  });

  it("trims the URL and username but not the password", async () => {
    mocked.signIn.mockResolvedValue(ana);
    const store = new SessionStore();
    expect(await store.signIn(" http://music.local ", " ana ", " pw ")).toBe(true);
    expect(mocked.signIn).toHaveBeenCalledWith("http://music.local", "ana", " pw ");
    expect(store.signedIn).toBe(true);
  });

  it("is signing_in while waiting and ignores a second submit", async () => {
    const pending = deferred<Session>();
    mocked.signIn.mockReturnValue(pending.promise);
    const store = new SessionStore();

    const first = store.signIn("u", "ana", "pw");
    expect(store.phase).toBe("signing_in");
    expect(await store.signIn("u", "ana", "pw")).toBe(false);
    pending.resolve(ana);
    await first;

    expect(mocked.signIn).toHaveBeenCalledTimes(1);
    expect(store.phase).toBe("signed_in");
  });

  it("keeps the backend's error and clears it on the next attempt", async () => {
    mocked.signIn
      .mockRejectedValueOnce({ kind: "auth", message: "Wrong username or password" })
      .mockResolvedValueOnce(ana);
    const store = new SessionStore();

    expect(await store.signIn("u", "ana", "bad")).toBe(false);
    expect(store.phase).toBe("signed_out");
    expect(store.error).toEqual({ kind: "auth", message: "Wrong username or password" });

    await store.signIn("u", "ana", "good");
    expect(store.error).toBeNull();
  });

  it("signs out locally even when the backend call fails", async () => {
    mocked.session.mockResolvedValue(ana);
    mocked.signOut.mockRejectedValue("boom");
    const store = new SessionStore();
    await store.init();
    await store.signOut();
    expect(store.signedIn).toBe(false);
    expect(store.current).toBeNull();
  });
});
