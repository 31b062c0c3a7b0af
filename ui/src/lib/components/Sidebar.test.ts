// @vitest-environment jsdom
import { createEvent, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    rememberedAccounts: vi.fn(),
    switchAccount: vi.fn(),
    signOut: vi.fn(),
    catalogTracks: vi.fn(),
    searchLibrary: vi.fn(),
    searchCatalog: vi.fn(),
  };
});

import * as ipc from "../../ipc";
import type { RememberedAccount } from "../../ipc";
import { makeDownloads, makePage, makePlaylist, makeSyncStatus, makeView, makeSession } from "../../test/fixtures";
import { stubLibrary, type LibraryEvents } from "../../test/library";
import { endTrackDrag, startTrackDrag, type TrackDrag } from "$lib/list/dragdrop";
import { navigation } from "$lib/navigation";
import { followRoutes } from "$lib/navigation/follow.svelte";
import { catalogStore } from "$lib/stores/catalog.svelte";
import { libraryStore } from "$lib/stores/library.svelte";
import { searchStore } from "$lib/stores/search.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import Sidebar from "./Sidebar.svelte";

const mocked = vi.mocked(ipc);
const ana = makeSession("http://music.local", "ana");
const ben = makeSession("https://other.example.com/", "ben");
const kept: RememberedAccount[] = [
  { ...ana, current: true },
  { ...ben, current: false },
];

let events: LibraryEvents;

beforeEach(() => {
  vi.resetAllMocks();
  events = stubLibrary(mocked);
  libraryStore.stop();
  sessionStore.phase = "signed_in";
  sessionStore.current = ana;
  sessionStore.adding = false;
  sessionStore.error = null;
  sessionStore.remembered = kept;
  mocked.rememberedAccounts.mockResolvedValue(kept);
  mocked.catalogTracks.mockResolvedValue(makePage([], null));
});

describe("Sidebar screens", () => {
  it("offers only the screens the signed-in service can fill", async () => {
    mocked.syncStatus.mockResolvedValue(makeSyncStatus());
    render(Sidebar);
    await libraryStore.start();
    for (const kind of ["home", "catalog", "explore", "uploads", "downloads", "local-files", "history"]) {
      expect(screen.queryByTestId(`nav-${kind}`), kind).not.toBeNull();
    }
    await vi.waitFor(() => expect(screen.queryByTestId("sync-status")).not.toBeNull());

    // A service without uploads or sharing, downloads, playlist sync or a catalog listed
    // page by page.
    sessionStore.current = makeSession("http://127.0.0.1:4040/", "ana", {
      kind: "open_subsonic",
      features: {
        ...ana.features,
        uploads: false,
        downloads: false,
        playlist_sync: false,
        playlist_revisions: false,
        catalog: false,
        live_updates: false,
      },
    });
    await vi.waitFor(() => expect(screen.queryByTestId("nav-uploads")).toBeNull());
    for (const kind of ["catalog", "explore", "downloads"]) {
      expect(screen.queryByTestId(`nav-${kind}`), kind).toBeNull();
    }
    // The music on this computer needs no service: always offered.
    for (const kind of ["home", "local-files", "history"]) {
      expect(screen.queryByTestId(`nav-${kind}`), kind).not.toBeNull();
    }
    expect(screen.queryByTestId("sync-status")).toBeNull();
  });
});

describe("Sidebar account menu", () => {
  it("shows the username and keeps sign-out at hand with the menu closed", () => {
    render(Sidebar);
    expect(screen.getByTestId("username-label").textContent).toBe("ana");
    expect(screen.getByTestId("sign-out")).toBeTruthy();
    expect(screen.getByTestId("account-menu").getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByTestId("remembered-account")).toBeNull();
  });

  it("lists the other kept accounts and switches to one, reloading the catalog", async () => {
    mocked.switchAccount.mockResolvedValue(ben);
    render(Sidebar);

    await fireEvent.click(screen.getByTestId("account-menu"));
    const entries = screen.getAllByTestId("remembered-account");
    expect(entries).toHaveLength(1);
    expect(entries[0].textContent).toContain("ben");
    expect(entries[0].textContent).toContain("other.example.com");
    await fireEvent.click(screen.getByTestId("switch-account"));

    await vi.waitFor(() => expect(sessionStore.current).toEqual(ben));
    expect(mocked.switchAccount).toHaveBeenCalledWith("https://other.example.com/", "ben");
    expect(sessionStore.signedIn).toBe(true);
    await vi.waitFor(() => expect(mocked.catalogTracks).toHaveBeenCalledWith(null));
    await vi.waitFor(() => expect(screen.queryByTestId("remembered-account")).toBeNull());
  });

  it("says why a switch failed and stays on the current account", async () => {
    mocked.switchAccount.mockRejectedValue({ kind: "network", message: "The service cannot be reached." });
    render(Sidebar);

    await fireEvent.click(screen.getByTestId("account-menu"));
    await fireEvent.click(screen.getByTestId("switch-account"));

    expect((await screen.findByRole("alert")).textContent).toBe("The service cannot be reached.");
    expect(sessionStore.current).toEqual(ana);
    expect(sessionStore.signedIn).toBe(true);
  });

  it("goes to the sign-in form to add another account without signing out", async () => {
    catalogStore.tracks = [];
    render(Sidebar);

    await fireEvent.click(screen.getByTestId("account-menu"));
    await fireEvent.click(screen.getByTestId("add-account"));

    expect(sessionStore.adding).toBe(true);
    expect(sessionStore.signedIn).toBe(false);
    expect(sessionStore.current).toEqual(ana);
    expect(mocked.signOut).not.toHaveBeenCalled();
  });
});

describe("Sidebar playlists", () => {
  const run = makePlaylist("p1", { name: "Run" });
  const walk = makePlaylist("p2", { name: "Walk", unsynced_edits: 2, offline: true });
  // The main screen's routing, which the sidebar's entries drive.
  let stopFollowing = () => {};

  beforeEach(() => {
    navigation.reset();
    stopFollowing = followRoutes();
  });

  afterEach(() => stopFollowing());

  async function renderWith(playlists = [run, walk]) {
    mocked.playlists.mockResolvedValue(playlists);
    await libraryStore.start();
    render(Sidebar);
  }

  it("lists the playlists with their unsynced and offline markers", async () => {
    await renderWith();
    const rows = screen.getAllByTestId("playlist-row");
    expect(rows.map((row) => row.querySelector(".name")?.textContent)).toEqual(["Run", "Walk"]);
    expect(rows[0].querySelector("[data-testid='playlist-unsynced']")).toBeNull();
    expect(rows[0].querySelector("[data-testid='playlist-offline']")).toBeNull();
    expect(rows[1].querySelector("[data-testid='playlist-unsynced']")?.textContent).toContain(
      "2 changes not synced yet",
    );
    expect(rows[1].querySelector("[data-testid='playlist-offline']")?.textContent).toContain("Available offline");
  });

  it("opens a playlist in the main area and goes back to the catalog", async () => {
    await renderWith();
    mocked.playlist.mockResolvedValue(makeView("p2", ["a"], { name: "Walk" }));
    await fireEvent.click(screen.getAllByTestId("playlist-row")[1]);

    expect(mocked.playlist).toHaveBeenCalledWith("p2");
    expect(libraryStore.openId).toBe("p2");
    await vi.waitFor(() =>
      expect(screen.getAllByTestId("playlist-row")[1].getAttribute("aria-current")).toBe("page"),
    );
    expect(screen.getByTestId("nav-catalog").getAttribute("aria-current")).toBeNull();

    await fireEvent.click(screen.getByTestId("nav-catalog"));
    expect(libraryStore.openId).toBeNull();
    expect(navigation.route).toEqual({ kind: "catalog" });
    expect(screen.getByTestId("nav-catalog").getAttribute("aria-current")).toBe("page");

    // Back returns to the playlist.
    navigation.back();
    await vi.waitFor(() => expect(libraryStore.openId).toBe("p2"));
  });

  it("opens home, downloads and history from their entries, marking the one shown", async () => {
    await renderWith();
    expect(screen.getByTestId("nav-home").getAttribute("aria-current")).toBe("page");
    for (const kind of ["downloads", "history", "home"] as const) {
      await fireEvent.click(screen.getByTestId(`nav-${kind}`));
      expect(navigation.route).toEqual({ kind });
      expect(screen.getByTestId(`nav-${kind}`).getAttribute("aria-current")).toBe("page");
    }
    expect(navigation.canGoBack).toBe(true);
  });

  /** A drag of `drag` from a track list, over and onto the sidebar row of playlist `index`. */
  async function dropOnto(drag: TrackDrag, index: number): Promise<{ accepted: boolean }> {
    const dataTransfer = { setData: vi.fn(), getData: vi.fn(), types: [], effectAllowed: "", dropEffect: "" };
    startTrackDrag(createEvent.dragStart(document.body, { dataTransfer }) as DragEvent, drag, "a track");
    const row = screen.getAllByTestId("playlist-row")[index];
    const over = createEvent.dragOver(row, { dataTransfer });
    await fireEvent(row, over);
    await fireEvent.drop(row, { dataTransfer });
    endTrackDrag();
    return { accepted: over.defaultPrevented };
  }

  it("adds the tracks of a selection dropped onto a playlist, saying so", async () => {
    await renderWith();
    mocked.editPlaylist.mockResolvedValue({ playlist: makePlaylist("p2", { name: "Walk", item_count: 3 }), changes: [] });
    const dropped = await dropOnto({ trackIds: ["t1", "t2"], playlistId: null, itemIds: [] }, 1);

    expect(dropped.accepted).toBe(true);
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p2", [{ kind: "add", track_ids: ["t1", "t2"], position: null }]);
    await vi.waitFor(() => expect(libraryStore.notice?.message).toBe("Added 2 tracks to “Walk”."));
  });

  it("names a single track dropped, and refuses a drop onto the playlist dragged from", async () => {
    await renderWith();
    mocked.editPlaylist.mockResolvedValue({ playlist: makePlaylist("p1", { name: "Run", item_count: 1 }), changes: [] });
    const ownDrop = await dropOnto({ trackIds: ["t1"], playlistId: "p2", itemIds: ["i1"], title: "Drift Ice" }, 1);
    expect(ownDrop.accepted).toBe(false);
    expect(mocked.editPlaylist).not.toHaveBeenCalled();

    await dropOnto({ trackIds: ["t1"], playlistId: "p2", itemIds: ["i1"], title: "Drift Ice" }, 0);
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "add", track_ids: ["t1"], position: null }]);
    await vi.waitFor(() => expect(libraryStore.notice?.message).toBe("Added “Drift Ice” to “Run”."));
  });

  it("leaves a search for the catalog", async () => {
    mocked.searchLibrary.mockResolvedValue({ tracks: [], albums: [], artists: [] });
    mocked.searchCatalog.mockResolvedValue({ tracks: [], albums: [], artists: [] });
    await renderWith();
    searchStore.setQuery("nova");
    expect(searchStore.active).toBe(true);

    await fireEvent.click(screen.getByTestId("nav-catalog"));
    expect(searchStore.active).toBe(false);
    expect(searchStore.query).toBe("");
  });

  it("follows playlists-changed", async () => {
    await renderWith([run]);
    mocked.playlists.mockResolvedValue([run, walk]);
    events.playlistsChanged();
    await vi.waitFor(() => expect(screen.getAllByTestId("playlist-row")).toHaveLength(2));
  });

  it("creates a playlist from the inline name on Enter and opens it", async () => {
    await renderWith([]);
    const created = makePlaylist("p9", { name: "Focus" });
    mocked.createPlaylist.mockResolvedValue(created);
    mocked.playlist.mockResolvedValue(makeView("p9", [], { name: "Focus" }));

    await fireEvent.click(screen.getByTestId("new-playlist"));
    const input = screen.getByTestId("new-playlist-input");
    expect(document.activeElement).toBe(input);
    await fireEvent.input(input, { target: { value: "Focus" } });
    await fireEvent.keyDown(input, { key: "Enter" });

    expect(mocked.createPlaylist).toHaveBeenCalledWith("Focus", "");
    await vi.waitFor(() => expect(screen.queryByTestId("new-playlist-input")).toBeNull());
    expect(screen.getAllByTestId("playlist-row").map((row) => row.textContent?.trim())).toEqual(["Focus"]);
    expect(libraryStore.openId).toBe("p9");
  });

  it("leaves a search for the playlist it creates or opens", async () => {
    mocked.searchLibrary.mockResolvedValue({ tracks: [], albums: [], artists: [] });
    mocked.searchCatalog.mockResolvedValue({ tracks: [], albums: [], artists: [] });
    await renderWith([run]);
    mocked.playlist.mockResolvedValue(makeView(run.id, [], { name: run.name }));
    searchStore.setQuery("nova");
    await fireEvent.click(screen.getAllByTestId("playlist-row")[0]);
    expect(searchStore.active).toBe(false);

    mocked.createPlaylist.mockResolvedValue(makePlaylist("p9", { name: "Focus" }));
    mocked.playlist.mockResolvedValue(makeView("p9", [], { name: "Focus" }));
    searchStore.setQuery("nova");
    await fireEvent.click(screen.getByTestId("new-playlist"));
    const input = screen.getByTestId("new-playlist-input");
    await fireEvent.input(input, { target: { value: "Focus" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await vi.waitFor(() => expect(screen.queryByTestId("new-playlist-input")).toBeNull());
    expect(libraryStore.openId).toBe("p9");
    expect(searchStore.active).toBe(false);
  });

  it("cancels a new playlist on Escape", async () => {
    await renderWith();
    await fireEvent.click(screen.getByTestId("new-playlist"));
    const input = screen.getByTestId("new-playlist-input");
    await fireEvent.input(input, { target: { value: "Never mind" } });
    await fireEvent.keyDown(input, { key: "Escape" });

    expect(screen.queryByTestId("new-playlist-input")).toBeNull();
    expect(mocked.createPlaylist).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByTestId("new-playlist"));
  });

  it("keeps the name and says why when creating fails", async () => {
    await renderWith([]);
    mocked.createPlaylist.mockRejectedValue({ kind: "invalid_input", message: "The name is too long." });
    await fireEvent.click(screen.getByTestId("new-playlist"));
    const input = screen.getByTestId("new-playlist-input") as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "Focus" } });
    await fireEvent.keyDown(input, { key: "Enter" });

    expect((await screen.findByTestId("library-error")).textContent).toContain(
      "Couldn't create the playlist: The name is too long.",
    );
    expect((screen.getByTestId("new-playlist-input") as HTMLInputElement).value).toBe("Focus");
  });
});

describe("Sidebar sync indicator", () => {
  async function renderWithSync(status = makeSyncStatus()) {
    mocked.syncStatus.mockResolvedValue(status);
    await libraryStore.start();
    render(Sidebar);
    return screen.getByTestId("sync-status");
  }

  it("says synced, then follows the sync-status events", async () => {
    const indicator = await renderWithSync();
    expect(indicator.textContent?.trim()).toBe("Synced");

    events.syncStatus(makeSyncStatus({ state: "syncing" }));
    await vi.waitFor(() => expect(indicator.textContent?.trim()).toBe("Syncing…"));
    expect((screen.getByTestId("sync-now") as HTMLButtonElement).disabled).toBe(true);

    events.syncStatus(makeSyncStatus({ state: "offline", unsynced_edits: 3 }));
    await vi.waitFor(() => expect(indicator.textContent?.trim()).toBe("Offline — 3 changes waiting"));
    expect(indicator.dataset.state).toBe("offline");

    events.syncStatus(makeSyncStatus({ state: "error", error: { kind: "server", message: "The service is down." } }));
    await vi.waitFor(() => expect(indicator.textContent?.trim()).toBe("Sync failed: The service is down."));
    expect(indicator.dataset.kind).toBe("server");
  });

  it("says why it is offline in the tooltip", async () => {
    const reason = { kind: "network", message: "Could not reach the service. Check your connection." } as const;
    const indicator = await renderWithSync(makeSyncStatus({ state: "offline", error: reason }));
    expect(indicator.textContent?.trim()).toBe("Offline");
    expect(indicator.dataset.kind).toBe("network");
    expect(indicator.title).toBe(reason.message);
  });

  it("says when other devices' changes are polled for, and only while sync itself works", async () => {
    const indicator = await renderWithSync(makeSyncStatus({ last_synced_at: 1_790_000_000 }));
    expect(indicator.dataset.live).toBe("live");
    expect(indicator.title).toContain("Changes from your other devices appear as they are made.");
    expect(screen.queryByTestId("live-updates-off")).toBeNull();

    events.syncStatus(makeSyncStatus({ live: "connecting" }));
    await vi.waitFor(() => expect(indicator.dataset.live).toBe("connecting"));
    expect(screen.queryByTestId("live-updates-off")).toBeNull();
    expect(indicator.title ?? "").not.toContain("as they are made");

    events.syncStatus(makeSyncStatus({ live: "polling" }));
    await vi.waitFor(() =>
      expect(screen.getByTestId("live-updates-off").textContent?.trim()).toBe(
        "Live updates unavailable — checking every minute",
      ),
    );
    expect(indicator.textContent?.trim()).toBe("Synced");

    // Offline, the state says more than the channel does.
    events.syncStatus(makeSyncStatus({ state: "offline", live: "polling" }));
    await vi.waitFor(() => expect(indicator.dataset.state).toBe("offline"));
    expect(screen.queryByTestId("live-updates-off")).toBeNull();
  });

  it("syncs now on request", async () => {
    await renderWithSync(makeSyncStatus({ unsynced_edits: 1 }));
    await fireEvent.click(screen.getByTestId("sync-now"));
    expect(mocked.syncNow).toHaveBeenCalledTimes(1);
  });

  it("lists the sync notices and dismisses one", async () => {
    const notices = [
      { id: 1, message: "“Run” was deleted on another device; your edits were kept as “Run (2)”.", created_at: 0 },
      { id: 2, message: "“Walk” was renamed on another device.", created_at: 0 },
    ];
    await renderWithSync(makeSyncStatus({ notices }));
    expect(screen.getAllByTestId("sync-notice").map((notice) => notice.textContent?.trim())).toEqual(
      notices.map((notice) => notice.message),
    );

    mocked.syncStatus.mockResolvedValue(makeSyncStatus({ notices: [notices[1]] }));
    await fireEvent.click(screen.getAllByTestId("dismiss-sync-notice")[0]);

    expect(mocked.dismissSyncNotice).toHaveBeenCalledWith(1);
    await vi.waitFor(() => expect(screen.getAllByTestId("sync-notice")).toHaveLength(1));
    expect(screen.getByTestId("sync-notice").textContent).toContain("renamed");
  });
});

describe("Sidebar downloads indicator", () => {
  it("shows progress with a pause, then the paused state with resume, and the space used", async () => {
    mocked.downloadsStatus.mockResolvedValue(
      makeDownloads({ active: 1, done: 2, total: 5, bytes_used: 3 * 1024 * 1024, quota_bytes: 1024 ** 3 }),
    );
    await libraryStore.start();
    render(Sidebar);

    expect(screen.getByTestId("downloads-summary").textContent).toBe("Downloading 2 of 5");
    expect(screen.getByTestId("downloads-usage").textContent).toBe("3 MB of 1 GB used");
    mocked.downloadsStatus.mockResolvedValue(makeDownloads({ paused: true, done: 2, total: 5 }));
    await fireEvent.click(screen.getByTestId("pause-downloads"));

    expect(mocked.pauseDownloads).toHaveBeenCalled();
    await vi.waitFor(() => expect(screen.getByTestId("downloads-summary").textContent).toBe("Downloads paused — 2 of 5"));
    await fireEvent.click(screen.getByTestId("resume-downloads"));
    expect(mocked.resumeDownloads).toHaveBeenCalled();
  });

  it("shows a full disk's words and marks the space used", async () => {
    const error = {
      kind: "storage_full",
      message: "Not enough room for offline music: 9.9 GB of 10.0 GB used. Remove downloads or raise the storage limit.",
    } as const;
    mocked.downloadsStatus.mockResolvedValue(
      makeDownloads({ done: 3, failed: 1, total: 4, bytes_used: 1024 ** 3, quota_bytes: 1024 ** 3, error }),
    );
    await libraryStore.start();
    render(Sidebar);

    const failed = screen.getByTestId("downloads-failed");
    expect(failed.textContent?.trim()).toBe(`1 download failed: ${error.message}`);
    expect(failed.dataset.kind).toBe("storage_full");
    expect(failed.classList.contains("warning")).toBe(false);
    expect(screen.getByTestId("downloads-usage").classList.contains("full")).toBe(true);
  });

  it("shows a network failure as a warning that mends itself, without blaming the space", async () => {
    await libraryStore.start();
    render(Sidebar);
    events.downloadsStatus(
      makeDownloads({
        done: 1,
        failed: 2,
        total: 3,
        bytes_used: 2048,
        error: { kind: "network", message: "Could not reach the service to download the track." },
      }),
    );

    const failed = await screen.findByTestId("downloads-failed");
    expect(failed.textContent?.trim()).toBe("2 downloads failed: Could not reach the service to download the track.");
    expect(failed.dataset.kind).toBe("network");
    expect(failed.classList.contains("warning")).toBe(true);
    expect(screen.getByTestId("downloads-usage").classList.contains("full")).toBe(false);
  });

  it("counts what is kept once everything is downloaded", async () => {
    await libraryStore.start();
    render(Sidebar);
    expect(screen.queryByTestId("downloads-status")).toBeNull();

    events.downloadsStatus(makeDownloads({ done: 12, total: 12, bytes_used: 1536 }));
    await vi.waitFor(() => expect(screen.getByTestId("downloads-summary").textContent).toBe("12 tracks available offline"));
    expect(screen.queryByTestId("pause-downloads")).toBeNull();
    expect(screen.getByTestId("downloads-usage").textContent).toBe("1.5 KB used");
  });
});
