// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeSession } from "../../../test/fixtures";
import { stubLibrary } from "../../../test/library";
import {
  LOCAL_ALBUM_ID,
  LOCAL_ARTIST_ID,
  localResults,
  makeFolder,
  makeLocalAlbum,
  makeLocalArtist,
  makeLocalTrack,
  makeLocalView,
  stubLocalFiles,
} from "../../../test/local-files";
import { giveViewport } from "../../../test/viewport";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../../test/library");
  const { LOCAL_FILES_IPC } = await import("../../../test/local-files");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries([...LIBRARY_IPC, ...LOCAL_FILES_IPC].map((name) => [name, vi.fn()])),
    playQueue: vi.fn(),
  };
});

import * as ipc from "../../../ipc";
import { localeStore } from "$lib/i18n";
import { trackMenu } from "$lib/list/actions";
import { trackRows } from "$lib/list/rows";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import LocalAlbumScreen from "./LocalAlbumScreen.svelte";
import LocalArtistScreen from "./LocalArtistScreen.svelte";
import LocalFilesScreen from "./LocalFilesScreen.svelte";
import { localAlbumPages, localArtistPages, localFilesStore } from "./local-files.svelte";

const mocked = vi.mocked(ipc);

afterEach(() => localeStore.use(null));

const trackTitles = () =>
  screen.queryAllByTestId("local-track-row").map((row) => row.querySelector(".title")?.textContent);

beforeEach(() => {
  vi.resetAllMocks();
  giveViewport();
  stubLibrary(mocked);
  libraryStore.stop();
  navigation.reset();
  localAlbumPages.reset();
  localArtistPages.reset();
  sessionStore.current = makeSession("http://music.local", "ana");
  mocked.playQueue.mockResolvedValue(undefined);
});

describe("Local files", () => {
  it("explains itself before any folder, and adds the one chosen in the OS's dialog", async () => {
    const events = stubLocalFiles(mocked, makeLocalView());
    render(LocalFilesScreen);
    const empty = await screen.findByTestId("local-files-empty");
    expect(within(empty).getByRole("heading").textContent).toBe("Your own music, on this computer");
    expect(empty.textContent).toContain("with or without an account, and offline");

    const added = makeLocalView({
      revision: 2,
      folders: [makeFolder("/home/ana/Music")],
      scanning: { found: 3410, unchanged: 0, read: 1204, failed: 0, removed: 0 },
    });
    mocked.chooseFolder.mockResolvedValueOnce("/home/ana/Music");
    mocked.addLocalFolder.mockResolvedValueOnce(added);
    await fireEvent.click(within(empty).getByRole("button", { name: "Add a folder…" }));
    expect(mocked.addLocalFolder).toHaveBeenCalledWith("/home/ana/Music");
    expect((await screen.findByTestId("local-scan")).textContent).toBe("Reading 1,204 of 3,410 files…");
    expect(screen.queryByTestId("local-files-empty")).toBeNull();

    // The scan writes its first batch: the lists are read and shown.
    mocked.localTracks.mockResolvedValue([makeLocalTrack("Porch Song")]);
    mocked.localAlbums.mockResolvedValue([makeLocalAlbum()]);
    events.changed({ ...added, revision: 3, tracks: 1, scanning: null });
    await vi.waitFor(() => expect(trackTitles()).toEqual(["Porch Song"]));
    expect(screen.queryByTestId("local-scan")).toBeNull();
    expect(screen.getByTestId("local-files-count").textContent).toBe("1 track in 1 folder");
  });

  it("shows the albums as cards and every track, and follows the files as they change", async () => {
    const view = makeLocalView({ folders: [makeFolder("/music", { tracks: 2 })], tracks: 2, revision: 5 });
    const events = stubLocalFiles(mocked, view, {
      tracks: [makeLocalTrack("One"), makeLocalTrack("Two")],
      albums: [makeLocalAlbum()],
    });
    render(LocalFilesScreen);
    await vi.waitFor(() => expect(trackTitles()).toEqual(["One", "Two"]));
    const card = within(screen.getByTestId("local-albums")).getByTestId("local-album");
    expect(card.textContent).toContain("Home Tapes");
    expect(card.getAttribute("data-id")).toBe(LOCAL_ALBUM_ID);
    // The artist is a link on the card, to their own page.
    expect(within(card).getByTestId("artist-link").getAttribute("data-entity-id")).toBe(LOCAL_ARTIST_ID);

    // A file copied into the folder: the watcher's revision brings it, the others stay put.
    mocked.localTracks.mockResolvedValue([makeLocalTrack("One"), makeLocalTrack("Two"), makeLocalTrack("Three")]);
    events.changed({ ...view, tracks: 3, revision: 6 });
    await vi.waitFor(() => expect(trackTitles()).toEqual(["One", "Two", "Three"]));

    // Double-click plays the list from that row, by the files' ids.
    await fireEvent.dblClick(screen.getAllByTestId("local-track-row")[1]);
    expect(mocked.playQueue).toHaveBeenCalledWith(
      ["file:///music/One.flac", "file:///music/Two.flac", "file:///music/Three.flac"],
      1,
    );
  });

  it("filters through the local index, and says when nothing matches", async () => {
    stubLocalFiles(mocked, makeLocalView({ folders: [makeFolder("/music", { tracks: 2 })], tracks: 2 }), {
      tracks: [makeLocalTrack("One"), makeLocalTrack("Two")],
    });
    render(LocalFilesScreen);
    await vi.waitFor(() => expect(trackTitles()).toEqual(["One", "Two"]));
    mocked.localSearch.mockResolvedValueOnce(localResults([makeLocalTrack("Two")]));
    const filter = screen.getByRole("searchbox", { name: "Filter local files" });
    await fireEvent.input(filter, { target: { value: "two" } });
    await vi.waitFor(() => expect(trackTitles()).toEqual(["Two"]));
    expect(mocked.localSearch).toHaveBeenCalledWith("two", 500);

    mocked.localSearch.mockResolvedValueOnce(localResults([]));
    await fireEvent.input(filter, { target: { value: "zzz" } });
    expect((await screen.findByTestId("local-filter-empty")).textContent).toBe("Nothing in your local files matches “zzz”.");

    // Escape empties it: every track again.
    await fireEvent.keyDown(filter, { key: "Escape" });
    await vi.waitFor(() => expect(trackTitles()).toEqual(["One", "Two"]));
  });

  it("says in words which folders cannot be read and what stopped a scan", async () => {
    stubLocalFiles(
      mocked,
      makeLocalView({
        folders: [
          makeFolder("/media/usb/Music", { tracks: 40, state: "missing" }),
          makeFolder("/srv/shared", { state: "unreadable" }),
          makeFolder("/music", { tracks: 2 }),
        ],
        scan_problem: { kind: "storage", message: "The disk could not be read." },
        failed_count: 3,
      }),
    );
    render(LocalFilesScreen);
    const problems = await screen.findAllByTestId("local-folder-problem");
    expect(problems.map((problem) => problem.textContent)).toEqual([
      "/media/usb/Music Not found. Is its disk plugged in? Its 40 tracks are kept until the folder is back.",
      "/srv/shared Strato is not allowed to read this folder. Check its permissions.",
    ]);
    expect(screen.getByTestId("local-scan-problem").textContent).toBe("The last scan stopped short: The disk could not be read.");
    expect(screen.getByTestId("local-failed-count").textContent).toContain("3 files cannot be played.");
  });

  it("says why local files cannot be used, in the window's language", async () => {
    const unavailable = {
      kind: "storage" as const,
      message: "The index of your local files could not be read or written. Strato goes on without your local files.",
    };
    stubLocalFiles(mocked, makeLocalView({ unavailable }));
    const { unmount } = render(LocalFilesScreen);
    expect((await screen.findByTestId("local-unavailable")).textContent).toBe(unavailable.message);
    expect((screen.getByTestId("local-add-folder") as HTMLButtonElement).disabled).toBe(true);
    unmount();

    localeStore.use("de");
    render(LocalFilesScreen);
    expect((await screen.findByTestId("local-unavailable")).textContent).toBe(
      "Lokale Dateien lassen sich gerade nicht verwenden: Strato konnte seine Dateien auf diesem Computer nicht lesen oder schreiben.",
    );
  });

  it("stops listening when it is left", async () => {
    const events = stubLocalFiles(mocked, makeLocalView());
    const { unmount } = render(LocalFilesScreen);
    await screen.findByTestId("local-files-empty");
    expect(events.listeners()).toBe(1);
    unmount();
    expect(events.listeners()).toBe(0);
    expect(localFilesStore.listening).toBe(false);
  });
});

describe("a local album's page", () => {
  it("shows the album from its files, and reads it again when they change", async () => {
    const events = stubLocalFiles(mocked, makeLocalView({ revision: 1 }));
    mocked.localAlbum.mockResolvedValueOnce({ album: makeLocalAlbum(), tracks: [makeLocalTrack("One")] });
    render(LocalAlbumScreen, { id: LOCAL_ALBUM_ID });
    expect((await screen.findByTestId("album-title")).textContent).toBe("Home Tapes");
    expect(screen.getByText("Album · on this computer")).toBeTruthy();
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(1));
    // What cannot apply to files on this computer is not offered.
    expect(screen.queryByTestId("album-offline")).toBeNull();
    expect(screen.queryByTestId("album-star")).toBeNull();

    mocked.localAlbum.mockResolvedValueOnce({ album: makeLocalAlbum(), tracks: [makeLocalTrack("One"), makeLocalTrack("Two")] });
    events.changed(makeLocalView({ revision: 2 }));
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(2));
    expect(mocked.localAlbum).toHaveBeenCalledWith(LOCAL_ALBUM_ID);
  });
});

describe("a local artist's page", () => {
  it("shows the artist's albums on this computer and their tracks", async () => {
    stubLocalFiles(mocked, makeLocalView());
    mocked.localArtist.mockResolvedValueOnce({
      artist: makeLocalArtist(),
      albums: [makeLocalAlbum()],
      tracks: [makeLocalTrack("One"), makeLocalTrack("Two")],
    });
    render(LocalArtistScreen, { id: LOCAL_ARTIST_ID });
    expect((await screen.findByTestId("artist-name")).textContent).toBe("The Locals");
    expect(screen.getByText("Artist · on this computer")).toBeTruthy();
    expect(within(screen.getByTestId("artist-albums")).getByTestId("album-card").getAttribute("data-id")).toBe(LOCAL_ALBUM_ID);
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(2));
    expect(mocked.localArtist).toHaveBeenCalledWith(LOCAL_ARTIST_ID);
  });
});

describe("a local track's menu", () => {
  it("offers playing, queueing and the playlists on this computer, not what only the account's tracks can do", () => {
    const ids = (tracks: ReturnType<typeof makeLocalTrack>[]) =>
      trackMenu({ selected: trackRows(tracks), playlistId: null, playFrom: () => {} }).map((entry) => entry.id);
    expect(ids([makeLocalTrack("One")])).toEqual(["play", "play-next", "add-to-queue", "add-to-playlist", "go-to-album", "go-to-artist"]);
    // A service's track keeps its whole menu.
    expect(ids([makeLocalTrack("One", { id: "tr-1" })])).toContain("add-to-playlist");
    expect(ids([makeLocalTrack("One", { id: "tr-1" })])).toContain("make-offline");
  });
});
