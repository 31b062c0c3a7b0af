// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Album, AlbumPage, HomeFeedView, HomeShelves } from "../../ipc";
import { makePage, makePlaylist, makeStatus, makeTrack, makeView, makeSession } from "../../test/fixtures";
import { stubLibrary } from "../../test/library";
import { giveViewport } from "../../test/viewport";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    catalogTracks: vi.fn(),
    playerStatus: vi.fn(),
    onPlayerStatus: vi.fn(),
    rememberedAccounts: vi.fn(),
    searchLibrary: vi.fn(),
    searchCatalog: vi.fn(),
    homeShelves: vi.fn(),
    homeFeed: vi.fn(),
    albumPage: vi.fn(),
    artistPage: vi.fn(),
    playQueue: vi.fn(),
    onLaunchesWaiting: vi.fn(),
    runLaunches: vi.fn(),
  };
});

import * as ipc from "../../ipc";
import { resetBrowsing } from "$lib/features";
import { navigation } from "$lib/navigation";
import { catalogStore } from "$lib/stores/catalog.svelte";
import { libraryStore } from "$lib/stores/library.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import { searchStore } from "$lib/stores/search.svelte";
import MainScreen from "./MainScreen.svelte";

const mocked = vi.mocked(ipc);

const album: Album = {
  id: "al-n",
  title: "Northern Drift",
  artist_id: "ar-a",
  artist_name: "Aurora Lane",
  year: 2026,
  track_count: 2,
  gapless: true,
  cover_path: null,
};
const albumTracks = [
  makeTrack("t1", { title: "Polar Morning", album_id: "al-n", artist_id: "ar-a", duration_ms: 61_000 }),
  makeTrack("t2", { title: "Drift Ice", album_id: "al-n", artist_id: "ar-a", track_number: 2, duration_ms: 60_000 }),
];
const albumPage: AlbumPage = {
  album,
  tracks: albumTracks,
  kept_offline: false,
  offline: { tracks: 2, downloaded: 0, failed: 0, bytes: 0 },
  source: { kind: "service" },
};
const shelves: HomeShelves = { recently_played: [makeTrack("r1", { title: "Heard Before" })], offline: [] };
const feed: HomeFeedView = {
  picks: { generated_at: 0, next_reshuffle_at: 3600, tracks: [makeTrack("p1")], albums: [album] },
  new_albums: [album],
  source: { kind: "service" },
};

beforeEach(() => {
  // A Strato account: every feature on show.
  sessionStore.current = makeSession("http://music.local", "ana");
  vi.resetAllMocks();
  giveViewport();
  stubLibrary(mocked);
  libraryStore.stop();
  playerStore.stop();
  catalogStore.reset();
  searchStore.clear();
  resetBrowsing();
  mocked.catalogTracks.mockResolvedValue(makePage(["a", "b"], null));
  mocked.playerStatus.mockResolvedValue(makeStatus());
  mocked.onPlayerStatus.mockResolvedValue(() => {});
  mocked.onLaunchesWaiting.mockResolvedValue(() => {});
  mocked.runLaunches.mockResolvedValue([]);
  mocked.rememberedAccounts.mockResolvedValue([]);
  mocked.playlists.mockResolvedValue([makePlaylist("p1", { name: "Run" })]);
  mocked.searchLibrary.mockResolvedValue({ tracks: [makeTrack("s1")], albums: [], artists: [] });
  mocked.searchCatalog.mockResolvedValue({ tracks: [makeTrack("s1")], albums: [], artists: [] });
  mocked.homeShelves.mockResolvedValue(shelves);
  mocked.homeFeed.mockResolvedValue(feed);
  mocked.albumPage.mockResolvedValue(albumPage);
  mocked.artistPage.mockResolvedValue({
    artist: { id: "ar-a", name: "Aurora Lane" },
    albums: [album],
    tracks: albumTracks,
    source: { kind: "service" },
  });
  mocked.playQueue.mockResolvedValue(undefined);
});

async function search(query: string) {
  await fireEvent.input(screen.getByTestId("search-input"), { target: { value: query } });
  await vi.waitFor(() => expect(screen.getByTestId("search-results").dataset.source).toBe("catalog"));
}

async function openCatalog() {
  await fireEvent.click(screen.getByTestId("nav-catalog"));
  await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(2));
}

describe("MainScreen browsing", () => {
  it("starts at home, opens an album from its card, plays it, and walks back and forth", async () => {
    render(MainScreen);
    const picks = await vi.waitFor(() => screen.getByTestId("home-picks"));
    expect(within(screen.getByTestId("home-recent")).getByText("Heard Before")).toBeTruthy();
    expect(screen.getByTestId<HTMLButtonElement>("nav-back").disabled).toBe(true);
    // Read once: the window opening does not build Home twice.
    expect(mocked.homeFeed).toHaveBeenCalledTimes(1);
    expect(mocked.homeShelves).toHaveBeenCalledTimes(1);

    await fireEvent.click(within(within(picks).getByTestId("album-card")).getByTestId("card-open"));
    await vi.waitFor(() => expect(screen.getByTestId("album-title").textContent).toBe("Northern Drift"));
    expect(mocked.albumPage).toHaveBeenCalledWith("al-n");
    expect(screen.getByTestId("album-length").textContent).toContain("2 min 1 s");
    expect(screen.getAllByTestId("track-row").map((row) => row.dataset.trackId)).toEqual(["t1", "t2"]);

    await fireEvent.click(screen.getByTestId("album-play"));
    expect(mocked.playQueue).toHaveBeenCalledWith(["t1", "t2"], 0);

    // The album's artist opens the artist's page.
    await fireEvent.click(within(screen.getByTestId("album-screen")).getAllByTestId("artist-link")[0]);
    await vi.waitFor(() => expect(screen.getByTestId("artist-name").textContent).toBe("Aurora Lane"));

    await fireEvent.click(screen.getByTestId("nav-back"));
    await vi.waitFor(() => expect(screen.getByTestId("album-screen")).toBeTruthy());
    await fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    await vi.waitFor(() => expect(screen.getByTestId("home-screen")).toBeTruthy());
    expect(screen.getByTestId<HTMLButtonElement>("nav-back").disabled).toBe(true);

    // The mouse's forward button, then Alt+Right.
    await fireEvent.mouseUp(window, { button: 4 });
    await vi.waitFor(() => expect(screen.getByTestId("album-screen")).toBeTruthy());
    await fireEvent.keyDown(window, { key: "ArrowRight", altKey: true });
    await vi.waitFor(() => expect(screen.getByTestId("artist-screen")).toBeTruthy());
    expect(screen.getByTestId<HTMLButtonElement>("nav-forward").disabled).toBe(true);
    await fireEvent.mouseUp(window, { button: 3 });
    await vi.waitFor(() => expect(screen.getByTestId("album-screen")).toBeTruthy());
  });

  it("says the picks need the network when offline, and shows the newest albums seen here", async () => {
    mocked.homeFeed.mockResolvedValue({
      picks: null,
      new_albums: [album],
      source: { kind: "library", reason: { kind: "network", message: "You are offline." } },
    });
    render(MainScreen);
    await vi.waitFor(() =>
      expect(screen.getByTestId("home-picks-unavailable").textContent).toContain(
        "Picks need the network: You are offline.",
      ),
    );
    expect(screen.getByTestId("home-new-albums").textContent).toContain("The newest this computer has seen");
    expect(screen.getByTestId("home-screen").dataset.source).toBe("library");
  });

  it("says why the album could not be read, and tries again", async () => {
    mocked.albumPage.mockRejectedValueOnce({ kind: "network", message: "Strato has not seen this album." });
    render(MainScreen);
    navigation.go({ kind: "album", id: "al-n" });
    const error = await vi.waitFor(() => screen.getByTestId("page-error"));
    expect(error.textContent).toContain("Strato has not seen this album.");
    await fireEvent.click(within(error).getByText("Try again"));
    await vi.waitFor(() => expect(screen.getByTestId("album-title").textContent).toBe("Northern Drift"));
  });
});

describe("MainScreen search", () => {
  it("shows the results in place of the screen while there is a query, and Escape goes back", async () => {
    render(MainScreen);
    await openCatalog();

    await search("nova");
    expect(screen.getAllByTestId("track-row").map((row) => row.dataset.trackId)).toEqual(["s1"]);
    expect(screen.queryByRole("heading", { name: "Catalog" })).toBeNull();
    await search("nova drive");
    // Refining the query is the same screen: back leaves the search at once.
    expect(navigation.route).toEqual({ kind: "search", query: "nova drive" });

    await fireEvent.keyDown(screen.getByTestId("search-input"), { key: "Escape" });
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(2));
    expect(screen.queryByTestId("search-results")).toBeNull();
    expect(navigation.route).toEqual({ kind: "catalog" });
  });

  it("leaves the search when a playlist is opened, and comes back to it", async () => {
    mocked.playlist.mockResolvedValue(makeView("p1", ["a"], { name: "Run" }));
    render(MainScreen);
    await vi.waitFor(() => expect(screen.getAllByTestId("playlist-row")).toHaveLength(1));

    await search("nova");
    await fireEvent.click(screen.getByTestId("playlist-row"));

    await vi.waitFor(() => expect(screen.getByTestId("playlist-screen")).toBeTruthy());
    expect(screen.queryByTestId("search-results")).toBeNull();
    expect(screen.getByTestId<HTMLInputElement>("search-input").value).toBe("");

    await fireEvent.click(screen.getByTestId("nav-back"));
    await vi.waitFor(() => expect(screen.getByTestId("search-results")).toBeTruthy());
    expect(screen.getByTestId<HTMLInputElement>("search-input").value).toBe("nova");
  });

  it("follows a playlist to the id its first sync gives it, as one screen", async () => {
    // Read under its local id, the library answers with the service's.
    mocked.playlist.mockResolvedValue(makeView("pl-1", ["a"], { name: "Run" }));
    render(MainScreen);
    await openCatalog();
    navigation.go({ kind: "playlist", id: "local-1" });

    await vi.waitFor(() => expect(libraryStore.openId).toBe("pl-1"));
    expect(navigation.route).toEqual({ kind: "playlist", id: "pl-1" });
    navigation.back();
    await vi.waitFor(() => expect(navigation.route).toEqual({ kind: "catalog" }));
  });

  it("leaves a playlist deleted under it for the screen before", async () => {
    mocked.playlist.mockResolvedValue(makeView("p1", ["a"], { name: "Run" }));
    render(MainScreen);
    await openCatalog();
    await fireEvent.click(await vi.waitFor(() => screen.getByTestId("playlist-row")));
    await vi.waitFor(() => expect(screen.getByTestId("playlist-screen")).toBeTruthy());

    libraryStore.closePlaylist();
    await vi.waitFor(() => expect(navigation.route).toEqual({ kind: "catalog" }));
    expect(navigation.canGoForward).toBe(false);
  });
});
