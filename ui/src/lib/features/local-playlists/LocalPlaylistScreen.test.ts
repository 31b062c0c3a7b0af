// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeLocalView, stubLocalFiles } from "../../../test/local-files";
import { deferred } from "../../../test/fixtures";
import { LocalPlaylistsCore } from "../../../test/local-playlists";
import { giveViewport } from "../../../test/viewport";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LOCAL_FILES_IPC } = await import("../../../test/local-files");
  const { LOCAL_PLAYLISTS_IPC } = await import("../../../test/local-playlists");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries([...LOCAL_FILES_IPC, ...LOCAL_PLAYLISTS_IPC].map((name) => [name, vi.fn()])),
    playQueue: vi.fn(),
    exportPlaylist: vi.fn(),
    offlineStates: vi.fn(),
  };
});

import * as ipc from "../../../ipc";
import EditNotice from "$lib/list/EditNotice.svelte";
import { playlistEdits } from "$lib/list/undo.svelte";
import { navigation } from "$lib/navigation";
import LocalPlaylistScreen from "./LocalPlaylistScreen.svelte";
import { localPlaylistsStore } from "./local-playlists.svelte";

const mocked = vi.mocked(ipc);
let core: LocalPlaylistsCore;

beforeEach(async () => {
  vi.resetAllMocks();
  giveViewport();
  localPlaylistsStore.stop();
  playlistEdits.clear();
  navigation.reset();
  stubLocalFiles(mocked, makeLocalView());
  core = new LocalPlaylistsCore(mocked);
  mocked.playQueue.mockResolvedValue(undefined);
});

/** Shows the page of a playlist "Porch" of `titles` (those in `missing` not found), its rows mounted. */
async function showPorch(titles: string[], missing: string[] = []) {
  const id = core.add("Porch", titles);
  for (const title of missing) core.missing.add(`file:///music/${title}.flac`);
  navigation.go({ kind: "local-playlist", id });
  await localPlaylistsStore.start();
  render(LocalPlaylistScreen, { id });
  await vi.waitFor(() => expect(rowTitles()).toEqual(titles));
  return { id, rows: () => screen.getAllByTestId("local-playlist-item") };
}

const rowTitles = () => screen.queryAllByTestId("local-playlist-item").map((row) => row.querySelector(".title")?.textContent);

describe("a playlist on this computer's page", () => {
  it("shows its name, kind, length and the files not found, greyed and never played", async () => {
    const { rows } = await showPorch(["One", "Two", "Three"], ["Two"]);
    expect(screen.getByTestId("playlist-name").textContent).toBe("Porch");
    expect(screen.getByText("Playlist · on this computer")).toBeTruthy();
    expect(screen.getByTestId("playlist-count").textContent).toBe("3 tracks");
    expect(screen.getByTestId("playlist-length").textContent).toBe("· 9:00");
    expect(screen.getByTestId("local-playlist-missing").textContent?.trim()).toBe("· 1 file not found");

    const missing = rows()[1];
    expect(missing.hasAttribute("data-missing")).toBe(true);
    expect(within(missing).getByTestId("file-missing").textContent).toBe("File not found");
    expect((within(missing).getByTestId("play-track") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.dblClick(missing);
    expect(mocked.playQueue).not.toHaveBeenCalled();

    // Play skips it; so does a play from a later row.
    await fireEvent.click(screen.getByTestId("play-playlist"));
    expect(mocked.playQueue).toHaveBeenLastCalledWith(["file:///music/One.flac", "file:///music/Three.flac"], 0);
    await fireEvent.dblClick(rows()[2]);
    expect(mocked.playQueue).toHaveBeenLastCalledWith(["file:///music/One.flac", "file:///music/Three.flac"], 1);
  });

  it("renames in place, the keyboard going back to Rename", async () => {
    const { id } = await showPorch(["One"]);
    await fireEvent.click(screen.getByTestId("rename-playlist"));
    const input = screen.getByTestId("rename-playlist-input");
    await fireEvent.input(input, { target: { value: "Back porch" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(mocked.renameLocalPlaylist).toHaveBeenCalledWith(id, "Back porch");
    await vi.waitFor(() => expect(screen.getByTestId("playlist-name").textContent).toBe("Back porch"));
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("rename-playlist")));
  });

  it("says when it could not be read, and shows it on Try again", async () => {
    const id = core.add("Porch", ["One"]);
    mocked.localPlaylist.mockRejectedValueOnce({ kind: "storage", message: "The index of local files is damaged." });
    navigation.go({ kind: "local-playlist", id });
    await localPlaylistsStore.start();
    render(LocalPlaylistScreen, { id });
    const notice = await screen.findByTestId("page-error");
    expect(notice.textContent).toContain("The index of local files is damaged.");
    expect(screen.queryByText("Loading…")).toBeNull();
    await fireEvent.click(within(notice).getByRole("button", { name: "Try again" }));
    await vi.waitFor(() => expect(rowTitles()).toEqual(["One"]));
    expect(screen.queryByTestId("page-error")).toBeNull();
  });

  it("offers no album or artist page for a file not found", async () => {
    const { rows } = await showPorch(["One", "Two"], ["Two"]);
    await fireEvent.click(within(rows()[1]).getByTestId("row-menu"));
    expect(await screen.findByTestId("menu-remove-from-playlist")).toBeTruthy();
    expect(screen.queryByTestId("menu-go-to-album")).toBeNull();
    expect(screen.queryByTestId("menu-go-to-artist")).toBeNull();
  });

  it("moves the focused row with Alt+Down, the keyboard staying on it", async () => {
    const { id, rows } = await showPorch(["One", "Two", "Three"]);
    const [one, two] = core.page(id).items.map((item) => item.item_id);
    rows()[0].focus();
    await fireEvent.keyDown(rows()[0], { key: "ArrowDown", altKey: true });
    expect(mocked.editLocalPlaylist).toHaveBeenCalledWith(id, [{ kind: "move", item_id: one, after: two }], undefined);
    await vi.waitFor(() => expect(rowTitles()).toEqual(["Two", "One", "Three"]));
    await vi.waitFor(() => expect((document.activeElement as HTMLElement).querySelector(".title")?.textContent).toBe("One"));
    expect(core.order(id)).toEqual(["Two", "One", "Three"]);
  });

  it("removes the selected rows with Delete, and Ctrl+Z puts them back", async () => {
    const { id, rows } = await showPorch(["One", "Two", "Three"]);
    render(EditNotice);
    await fireEvent.click(rows()[0]);
    await fireEvent.click(rows()[2], { ctrlKey: true });
    await fireEvent.keyDown(rows()[2], { key: "Delete" });
    await vi.waitFor(() => expect(rowTitles()).toEqual(["Two"]));
    expect((await screen.findByTestId("edit-notice-text")).textContent).toBe("Removed 2 tracks from “Porch”.");

    await fireEvent.keyDown(window, { key: "z", ctrlKey: true });
    await vi.waitFor(() => expect(rowTitles()).toEqual(["One", "Two", "Three"]));
    expect(core.order(id)).toEqual(["One", "Two", "Three"]);
  });

  it("gives the keyboard to the next row once one is removed, so Delete again takes that one", async () => {
    const { id, rows } = await showPorch(["One", "Two", "Three"]);
    await fireEvent.click(rows()[0]);
    rows()[0].focus();
    await fireEvent.keyDown(rows()[0], { key: "Delete" });
    await vi.waitFor(() => expect(rowTitles()).toEqual(["Two", "Three"]));
    const focusedTitle = () => (document.activeElement as HTMLElement).querySelector(".title")?.textContent;
    await vi.waitFor(() => expect(focusedTitle()).toBe("Two"));
    // Selected as well as focused: Delete on it takes it.
    await vi.waitFor(() => expect(rows()[0].getAttribute("aria-selected")).toBe("true"));
    await fireEvent.keyDown(rows()[0], { key: "Delete" });
    await vi.waitFor(() => expect(rowTitles()).toEqual(["Three"]));
    await vi.waitFor(() => expect(focusedTitle()).toBe("Three"));
    expect(core.order(id)).toEqual(["Three"]);
  });

  it("takes two rows for two Deletes pressed before the first is answered", async () => {
    const { id, rows } = await showPorch(["One", "Two", "Three"]);
    await fireEvent.click(rows()[0]);
    rows()[0].focus();
    const answer = deferred<void>();
    const edit = mocked.editLocalPlaylist.getMockImplementation();
    mocked.editLocalPlaylist.mockImplementationOnce(async (...args) => {
      await answer.promise;
      return edit!(...args);
    });
    await fireEvent.keyDown(rows()[0], { key: "Delete" });
    // The next row has the keyboard, selected, before the core answers.
    expect(document.activeElement?.querySelector(".title")?.textContent).toBe("Two");
    await fireEvent.keyDown(document.activeElement as HTMLElement, { key: "Delete" });
    answer.resolve();
    await vi.waitFor(() => expect(rowTitles()).toEqual(["Three"]));
    expect(core.order(id)).toEqual(["Three"]);
  });

  it("offers other playlists on this computer in a row's menu, never the account's", async () => {
    core.add("Attic", []);
    const { rows } = await showPorch(["One"]);
    await fireEvent.click(within(rows()[0]).getByTestId("row-menu"));
    await fireEvent.click(await screen.findByTestId("menu-add-to-playlist"));
    const menu = await screen.findByTestId("add-to-playlist-menu");
    const options = within(menu).getAllByRole("menuitem").map((item) => item.textContent?.trim());
    expect(options).toEqual(["New playlist on this computer from selection", "Attic"]);
    expect(screen.getByTestId("menu-remove-from-playlist")).toBeTruthy();
  });

  it("exports through the same flow as an account's playlist", async () => {
    const { id } = await showPorch(["One"]);
    mocked.exportPlaylist.mockResolvedValue("/home/ana/porch.m3u8");
    await fireEvent.click(screen.getByTestId("export-playlist"));
    expect(mocked.exportPlaylist).toHaveBeenCalledWith(id, "Porch", "Export the playlist");
    expect((await screen.findByTestId("playlist-exported")).textContent?.trim()).toBe("Saved to /home/ana/porch.m3u8");
  });

  it("is deleted once confirmed, and the screen before it comes back", async () => {
    const { id } = await showPorch(["One"]);
    await fireEvent.click(screen.getByTestId("delete-playlist"));
    expect(screen.getByTestId("delete-confirmation").textContent).toContain("Delete “Porch”?");
    // The keyboard is on the safe answer; Cancel gives it back to Delete.
    expect(document.activeElement).toBe(screen.getByTestId("cancel-delete-playlist"));
    await fireEvent.click(screen.getByTestId("cancel-delete-playlist"));
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("delete-playlist")));
    await fireEvent.click(screen.getByTestId("delete-playlist"));
    expect(mocked.deleteLocalPlaylist).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("confirm-delete-playlist"));
    expect(mocked.deleteLocalPlaylist).toHaveBeenCalledWith(id);
    await vi.waitFor(() => expect(navigation.route.kind).toBe("home"));
    expect(core.playlists.size).toBe(0);
  });

  it("says so when the playlist is not on this computer", async () => {
    navigation.go({ kind: "local-playlist", id: "local-playlist:gone" });
    await localPlaylistsStore.start();
    render(LocalPlaylistScreen, { id: "local-playlist:gone" });
    expect((await screen.findByTestId("local-playlist-gone")).textContent).toBe("This playlist is no longer on this computer.");
  });
});
