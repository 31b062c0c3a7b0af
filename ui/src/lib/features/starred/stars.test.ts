// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ALL_FEATURES, deferred, makeSession, makeTrack } from "../../../test/fixtures";
import { giveViewport } from "../../../test/viewport";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  stars: vi.fn(),
  setStarred: vi.fn(),
  starredPage: vi.fn(),
  onStarsChanged: vi.fn(),
  playQueue: vi.fn(),
}));

import * as ipc from "../../../ipc";
import type { Album, Artist, StarredPage } from "../../../ipc";
import { trackMenu } from "$lib/list/actions";
import { trackRows } from "$lib/list/rows";
import { libraryStore } from "$lib/stores/library.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import StarButton from "./StarButton.svelte";
import StarredScreen from "./StarredScreen.svelte";
import { starredPageStore, starsStore } from "./stars.svelte";

const mocked = vi.mocked(ipc);
const subsonic = makeSession("http://music.local/rest/", "ana", { kind: "open_subsonic" });
const album = (id: string): Album => ({
  id,
  title: `Album ${id}`,
  artist_id: "ar1",
  artist_name: "Artist",
  year: 2020,
  track_count: 1,
  gapless: false,
  cover_path: null,
});
const artist = (id: string): Artist => ({ id, name: `Artist ${id}` });

beforeEach(async () => {
  vi.resetAllMocks();
  giveViewport(520);
  sessionStore.current = subsonic;
  sessionStore.phase = "signed_in";
  libraryStore.error = null;
  starsStore.reset();
  starredPageStore.reset();
  mocked.stars.mockResolvedValue([{ kind: "album", id: "al1" }]);
  await starsStore.load();
});

describe("the stars shown", () => {
  it("are the core's, and a toggle shows at once, before the core answers", async () => {
    expect(starsStore.has("album", "al1")).toBe(true);
    const answer = deferred<void>();
    mocked.setStarred.mockReturnValue(answer.promise);
    const toggling = starsStore.toggle("track", "t1");
    expect(starsStore.has("track", "t1")).toBe(true);
    answer.resolve();
    await toggling;
    expect(mocked.setStarred).toHaveBeenCalledWith({ kind: "track", id: "t1" }, true);
    expect(starsStore.has("track", "t1")).toBe(true);
  });

  it("are read again, the Starred page with them, when the core says a sync pass changed them", async () => {
    let told: (() => void) | null = null;
    const unlisten = vi.fn();
    mocked.onStarsChanged.mockImplementation(async (callback) => {
      told = callback;
      return unlisten;
    });
    const page: StarredPage = { tracks: [], albums: [album("al1")], artists: [], waiting: 1 };
    mocked.starredPage.mockResolvedValue(page);
    starredPageStore.shown = true;
    await starredPageStore.load();
    const stop = starsStore.follow();
    await vi.waitFor(() => expect(told).not.toBeNull());

    // The server refused al1's star, made offline: it is gone from what the core keeps.
    mocked.stars.mockResolvedValue([]);
    mocked.starredPage.mockResolvedValue({ ...page, albums: [], waiting: 0 });
    told!();
    await vi.waitFor(() => expect(starsStore.has("album", "al1")).toBe(false));
    await vi.waitFor(() => expect(starredPageStore.page?.waiting).toBe(0));
    // Not shown: only the stars are read, never the server's page.
    starredPageStore.shown = false;
    mocked.starredPage.mockClear();
    told!();
    await vi.waitFor(() => expect(mocked.stars).toHaveBeenCalledTimes(4));
    expect(mocked.starredPage).not.toHaveBeenCalled();
    stop();
    expect(unlisten).toHaveBeenCalled();
  });

  it("keep a click the core has not answered over stars read meanwhile", async () => {
    const answer = deferred<void>();
    mocked.setStarred.mockReturnValue(answer.promise);
    const toggling = starsStore.toggle("track", "t1");
    // Read before the core recorded the click: it is not among them, yet still shown.
    mocked.stars.mockResolvedValue([{ kind: "album", id: "al1" }]);
    await starsStore.load();
    expect(starsStore.has("track", "t1")).toBe(true);
    answer.resolve();
    await toggling;
    expect(starsStore.has("track", "t1")).toBe(true);
  });

  it("go back as they were when the server refuses, saying why in words", async () => {
    mocked.setStarred.mockRejectedValue({ kind: "server", message: "The server would not unstar this: gone." });
    await starsStore.toggle("album", "al1");
    expect(starsStore.has("album", "al1")).toBe(true);
    expect(libraryStore.error?.action).toBe("Could not change the star");
    expect(libraryStore.error?.message).toBe("The server would not unstar this: gone.");
  });

  it("of several tracks are all kept; only the one refused goes back", async () => {
    mocked.setStarred.mockImplementation((star) =>
      star.id === "t2" ? Promise.reject({ kind: "server", message: "The server would not star this: gone." }) : Promise.resolve(),
    );
    await starsStore.set("track", ["t1", "t2", "t3"], true);
    expect(mocked.setStarred).toHaveBeenCalledTimes(3);
    expect(starsStore.has("track", "t1")).toBe(true);
    expect(starsStore.has("track", "t2")).toBe(false);
    expect(starsStore.has("track", "t3")).toBe(true);
    expect(libraryStore.error?.message).toBe("The server would not star this: gone.");
  });

  it("are none where the service has no stars", async () => {
    sessionStore.current = makeSession("http://music.local", "ana", { features: { ...ALL_FEATURES, stars: false } });
    await starsStore.load();
    expect(starsStore.has("album", "al1")).toBe(false);
    render(StarButton, { kind: "album", id: "al1", name: "Album al1" });
    expect(screen.queryByRole("button")).toBeNull();
  });
});

describe("the star button", () => {
  it("is a labelled toggle, pressed when starred, that the keyboard presses too", async () => {
    mocked.setStarred.mockResolvedValue();
    render(StarButton, { kind: "album", id: "al1", name: "Blue" });
    const button = screen.getByRole("button", { name: "Star Blue" });
    expect(button.getAttribute("aria-pressed")).toBe("true");
    expect(button.title).toBe("Remove star");
    await fireEvent.click(button);
    expect(button.getAttribute("aria-pressed")).toBe("false");
    expect(button.title).toBe("Star");
    expect(mocked.setStarred).toHaveBeenCalledWith({ kind: "album", id: "al1" }, false);
  });
});

describe("a local file's star", () => {
  it("is not offered: the server never heard of the file, its album or its artist", () => {
    for (const [kind, id] of [
      ["track", "file:///home/ana/Music/a%20b.flac"],
      ["album", "local-album:4a6f"],
      ["artist", "local-artist:4a6f"],
    ] as const) {
      const shown = render(StarButton, { kind, id, name: "On this computer" });
      expect(screen.queryByRole("button")).toBeNull();
      shown.unmount();
    }
    render(StarButton, { kind: "track", id: "t1", name: "On the server" });
    expect(screen.getByRole("button", { name: "Star On the server" })).not.toBeNull();
  });
});

describe("the track menu", () => {
  const menuFor = (ids: string[]) =>
    trackMenu({ selected: trackRows(ids.map((id) => makeTrack(id))), playlistId: null, playFrom: () => {} });

  it("stars the selection, or takes the star off when every track has one", async () => {
    mocked.setStarred.mockResolvedValue();
    const star = menuFor(["t1", "t2"]).find((entry) => entry.id === "star");
    expect(star?.label).toBe("Star");
    star?.run?.();
    await vi.waitFor(() => expect(mocked.setStarred).toHaveBeenCalledTimes(2));
    expect(starsStore.has("track", "t1") && starsStore.has("track", "t2")).toBe(true);
    const unstar = menuFor(["t1", "t2"]).find((entry) => entry.id === "unstar");
    expect(unstar?.label).toBe("Remove star");
    expect(menuFor(["t1", "t3"]).some((entry) => entry.id === "star")).toBe(true);
  });

  it("offers no star where the service has none", () => {
    sessionStore.current = makeSession("http://music.local", "ana", { features: { ...ALL_FEATURES, stars: false } });
    const ids = menuFor(["t1"]).map((entry) => entry.id);
    expect(ids).not.toContain("star");
    expect(ids).not.toContain("unstar");
  });
});

describe("the Starred page", () => {
  const page = (overrides: Partial<StarredPage> = {}): StarredPage => ({
    tracks: [makeTrack("t1", { title: "Morning" })],
    albums: [album("al1")],
    artists: [artist("ar1")],
    waiting: 0,
    ...overrides,
  });

  it("lists the tracks, albums and artists starred, and plays the tracks", async () => {
    mocked.starredPage.mockResolvedValue(page());
    mocked.stars.mockResolvedValue([
      { kind: "track", id: "t1" },
      { kind: "album", id: "al1" },
      { kind: "artist", id: "ar1" },
    ]);
    render(StarredScreen);
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(1));
    expect(screen.getByTestId("track-row").textContent).toContain("Morning");
    expect(screen.getByTestId("album-card").textContent).toContain("Album al1");
    expect(screen.getByTestId("artist-card").textContent).toContain("Artist ar1");
    await fireEvent.click(screen.getByTestId("starred-play"));
    await vi.waitFor(() => expect(mocked.playQueue).toHaveBeenCalled());
    expect(mocked.playQueue.mock.calls[0][0]).toEqual(["t1"]);
  });

  it("drops a star taken off at once, and says when stars wait to be sent", async () => {
    mocked.starredPage.mockResolvedValue(page({ waiting: 2 }));
    mocked.stars.mockResolvedValue([{ kind: "track", id: "t1" }]);
    mocked.setStarred.mockResolvedValue();
    render(StarredScreen);
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(1));
    // The album and the artist were unstarred here since: not shown.
    expect(screen.queryByTestId("album-card")).toBeNull();
    expect(screen.getByTestId("starred-waiting").textContent).toBe(
      "2 stars made offline wait to be sent to your server.",
    );
    await starsStore.toggle("track", "t1");
    await vi.waitFor(() => expect(screen.getByTestId("starred-empty")).toBeTruthy());
  });

  it("says in words why it cannot be read offline, with Try again", async () => {
    mocked.starredPage.mockRejectedValue({ kind: "network", message: "You are offline." });
    render(StarredScreen);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("You are offline.");
    mocked.starredPage.mockResolvedValue(page({ tracks: [], albums: [], artists: [] }));
    await fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await vi.waitFor(() => expect(screen.getByTestId("starred-empty")).toBeTruthy());
  });
});
