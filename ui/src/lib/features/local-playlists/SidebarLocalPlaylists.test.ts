// @vitest-environment jsdom
import { createEvent, fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makePlaylist, makeTrack } from "../../../test/fixtures";
import { makeLocalTrack } from "../../../test/local-files";
import { LocalPlaylistsCore } from "../../../test/local-playlists";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LOCAL_PLAYLISTS_IPC } = await import("../../../test/local-playlists");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries(LOCAL_PLAYLISTS_IPC.map((name) => [name, vi.fn()])),
    editPlaylist: vi.fn(),
    createPlaylist: vi.fn(),
  };
});

import * as ipc from "../../../ipc";
import { trackMenu } from "$lib/list/actions";
import { endTrackDrag, startTrackDrag, type TrackDrag } from "$lib/list/dragdrop";
import type { MenuAction } from "$lib/list/menu";
import { trackRows } from "$lib/list/rows";
import { playlistEdits } from "$lib/list/undo.svelte";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";
import AddToPlaylist from "../album/AddToPlaylist.svelte";
import SidebarLocalPlaylists from "./SidebarLocalPlaylists.svelte";
import { localPlaylistsStore } from "./local-playlists.svelte";

const mocked = vi.mocked(ipc);
let core: LocalPlaylistsCore;

beforeEach(() => {
  vi.resetAllMocks();
  localPlaylistsStore.stop();
  libraryStore.playlists = [];
  playlistEdits.clear();
  navigation.reset();
  core = new LocalPlaylistsCore(mocked);
});

async function renderSection() {
  await localPlaylistsStore.start();
  render(SidebarLocalPlaylists);
}

const rowNames = () => screen.queryAllByTestId("local-playlist-row").map((row) => row.querySelector(".name")?.textContent);

/** A drag of `drag` from a track list, over and onto the row of playlist `index`. */
async function dropOnto(drag: TrackDrag, index: number): Promise<{ accepted: boolean }> {
  const dataTransfer = { setData: vi.fn(), getData: vi.fn(), types: [], effectAllowed: "", dropEffect: "" };
  startTrackDrag(createEvent.dragStart(document.body, { dataTransfer }) as DragEvent, drag, "a track");
  const row = screen.getAllByTestId("local-playlist-row")[index];
  const over = createEvent.dragOver(row, { dataTransfer });
  await fireEvent(row, over);
  await fireEvent.drop(row, { dataTransfer });
  endTrackDrag();
  return { accepted: over.defaultPrevented };
}

describe("the sidebar's playlists on this computer", () => {
  it("are a section of their own, saying when there are none, and follow the core's changes", async () => {
    await renderSection();
    const section = screen.getByRole("region", { name: "On this computer" });
    expect(within(section).getByText("No playlists on this computer yet.")).toBeTruthy();

    const id = core.add("Porch", ["One", "Two"]);
    core.missing.add("file:///music/Two.flac");
    core.emit();
    await vi.waitFor(() => expect(rowNames()).toEqual(["Porch"]));
    expect(screen.getByTestId("local-playlist-row-missing").title).toBe("1 file not found");

    await fireEvent.click(screen.getByTestId("local-playlist-row"));
    expect(navigation.route).toEqual({ kind: "local-playlist", id });
  });

  it("makes a new one in place and opens it", async () => {
    await renderSection();
    await fireEvent.click(screen.getByRole("button", { name: "New playlist on this computer" }));
    const input = screen.getByTestId("new-local-playlist-input");
    await fireEvent.input(input, { target: { value: "Kitchen radio" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(mocked.createLocalPlaylist).toHaveBeenCalledWith("Kitchen radio", []);
    await vi.waitFor(() => expect(navigation.route.kind).toBe("local-playlist"));
    const [id] = core.playlists.keys();
    expect(navigation.route).toEqual({ kind: "local-playlist", id });
    expect(rowNames()).toEqual(["Kitchen radio"]);
  });

  it("takes files on this computer dropped on a row, and not the service's tracks", async () => {
    const id = core.add("Porch", []);
    await renderSection();
    await vi.waitFor(() => expect(rowNames()).toEqual(["Porch"]));
    const service = await dropOnto({ trackIds: ["tr-1"], playlistId: null, itemIds: [] }, 0);
    expect(service.accepted).toBe(false);
    expect(mocked.editLocalPlaylist).not.toHaveBeenCalled();

    const local = await dropOnto({ trackIds: ["file:///music/One.flac"], playlistId: null, itemIds: [], title: "One" }, 0);
    expect(local.accepted).toBe(true);
    expect(core.order(id)).toEqual(["One"]);
    await vi.waitFor(() => expect(playlistEdits.notice?.message).toBe("Added “One” to “Porch”."));
  });
});

describe("a track's menu, Add to playlist", () => {
  const submenu = (tracks: ReturnType<typeof makeTrack>[]): readonly MenuAction[] | undefined =>
    trackMenu({ selected: trackRows(tracks), playlistId: null, playFrom: () => {} }).find((entry) => entry.id === "add-to-playlist")
      ?.submenu;
  const labels = (entries: readonly MenuAction[] | undefined) => entries?.map((entry) => entry.label);

  beforeEach(async () => {
    core.add("Porch", []);
    await localPlaylistsStore.start();
    libraryStore.playlists = [makePlaylist("p1", { name: "Run" })];
  });

  it("offers the playlists on this computer for files on this computer, and makes one of them", async () => {
    const entries = submenu([makeLocalTrack("One"), makeLocalTrack("Two")]);
    expect(labels(entries)).toEqual(["New playlist on this computer from selection", "Porch"]);
    entries?.[0].run?.();
    await vi.waitFor(() => expect(core.playlists.size).toBe(2));
    expect(mocked.createLocalPlaylist).toHaveBeenCalledWith("Home Tapes", ["file:///music/One.flac", "file:///music/Two.flac"]);
  });

  it("offers the account's playlists for the service's tracks, and none for a mix of both", () => {
    expect(labels(submenu([makeTrack("tr-1")]))).toEqual(["New playlist from selection", "Run"]);
    expect(submenu([makeTrack("tr-1"), makeLocalTrack("One")])).toBeUndefined();
  });
});

describe("a local album's Add to playlist", () => {
  it("offers the playlists on this computer, and adds the album's files to the one chosen", async () => {
    const id = core.add("Porch", []);
    await localPlaylistsStore.start();
    libraryStore.playlists = [makePlaylist("p1", { name: "Run" })];
    const trackIds = [makeLocalTrack("One").id, makeLocalTrack("Two").id];
    render(AddToPlaylist, { trackIds, newName: "Home Tapes" });
    await fireEvent.click(screen.getByTestId("page-add-to-playlist"));
    const menu = screen.getByTestId("page-add-to-playlist-menu");
    expect(within(menu).getAllByRole("menuitem").map((item) => item.textContent)).toEqual([
      "New playlist “Home Tapes” on this computer",
      "Porch",
    ]);
    await fireEvent.click(within(menu).getByText("Porch"));
    await vi.waitFor(() => expect(core.order(id)).toEqual(["One", "Two"]));
  });
});
