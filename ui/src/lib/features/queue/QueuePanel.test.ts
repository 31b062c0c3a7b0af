// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeQueueEntry, makeQueueStatus, makeQueueView, makeStatus, makeTrack } from "../../../test/fixtures";
import { giveViewport } from "../../../test/viewport";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  jump: vi.fn(),
  pause: vi.fn(),
  queuePage: vi.fn(),
  moveInQueue: vi.fn(),
  removeFromQueue: vi.fn(),
  clearQueue: vi.fn(),
  saveQueueAsPlaylist: vi.fn(),
  playlists: vi.fn(),
}));

import * as ipc from "../../../ipc";
import type { QueueView } from "../../../ipc";
import { playerStore } from "$lib/stores/player.svelte";
import QueuePanel from "./QueuePanel.svelte";

const mocked = vi.mocked(ipc);
const tracks = ["a", "b", "c", "d", "e"].map((id, i) => makeTrack(id, { title: `Song ${i + 1}` }));

function show(view: QueueView) {
  playerStore.queue.apply(view);
  flushSync();
}

async function openPanel(current = 1): Promise<HTMLElement> {
  show(makeQueueView(tracks, current));
  playerStore.status = makeQueueStatus(tracks, current);
  render(QueuePanel, { id: "queue" });
  await screen.findAllByTestId("queue-item");
  return screen.getByTestId("queue-panel");
}

const titles = () => screen.getAllByTestId("queue-item").map((item) => item.textContent);
const selectedTitles = () =>
  screen
    .getAllByTestId("queue-item")
    .filter((item) => item.dataset.selected !== undefined)
    .map((item) => item.textContent);
const item = (title: string) => screen.getAllByTestId("queue-item").find((item) => item.textContent === title)!;

beforeEach(() => {
  vi.resetAllMocks();
  giveViewport(600);
  for (const command of ["jump", "pause", "moveInQueue", "removeFromQueue", "clearQueue"] as const) {
    mocked[command].mockResolvedValue(undefined);
  }
  playerStore.stop();
  playerStore.status = makeStatus();
});

describe("QueuePanel sections", () => {
  it("shows what played, what plays now and what is next up, in play order", async () => {
    const panel = await openPanel(1);
    const headings = within(panel).getAllByTestId("queue-heading");
    expect(headings.map((heading) => heading.dataset.section)).toEqual(["played", "now", "next"]);
    expect(titles()).toEqual(["Song 1", "Song 2", "Song 3", "Song 4", "Song 5"]);
    expect(screen.getAllByTestId("queue-item").map((item) => item.dataset.section)).toEqual([
      "played",
      "now",
      "next",
      "next",
      "next",
    ]);
    expect(screen.getByTestId("queue-plays-next").textContent).toContain("Plays next: Song 3");
  });

  it("tells screen readers each entry's place in the whole queue", async () => {
    await openPanel(1);
    const rows = [...document.querySelectorAll("[role=listitem]")];
    expect(rows.map((row) => row.getAttribute("aria-posinset"))).toEqual(["1", "2", "3", "4", "5"]);
    expect(rows.every((row) => row.getAttribute("aria-setsize") === "5")).toBe(true);
  });

  it("says nothing comes next at the end, and what repeat plays", async () => {
    await openPanel(4);
    expect(screen.getByTestId("queue-nothing-next")).toBeTruthy();
    expect(screen.getByTestId("queue-plays-next").textContent).toContain("Nothing plays after this track.");
    playerStore.status = makeQueueStatus(tracks, 4, { repeat: "all" });
    show({ ...makeQueueView(tracks, 4), plays_next: makeQueueEntry(tracks[0], 100) });
    expect(screen.getByTestId("queue-plays-next").textContent).toContain("Then from the top: Song 1");
  });

  it("reads the entries it scrolls to that the event did not carry", async () => {
    const page = { revision: 1, offset: 0, entries: tracks.map((track, i) => makeQueueEntry(track, 100 + i)) };
    mocked.queuePage.mockResolvedValue(page);
    show(makeQueueView(tracks, 0, { window: { from: 0, to: 2 } }));
    render(QueuePanel, { id: "queue" });
    await vi.waitFor(() => expect(titles()).toEqual(["Song 1", "Song 2", "Song 3", "Song 4", "Song 5"]));
    expect(mocked.queuePage).toHaveBeenCalledWith(0, 100);
  });
});

describe("QueuePanel at size", () => {
  it("draws only the rows on screen of a 10,000-entry queue, and reads only their page", async () => {
    // The list stays at its top (jsdom does not scroll): the played entries.
    const many = Array.from({ length: 10_000 }, (_, i) => makeTrack(`m${i}`, { title: `Take ${i}` }));
    const page = { revision: 1, offset: 0, entries: many.slice(0, 100).map((track, i) => makeQueueEntry(track, 100 + i)) };
    mocked.queuePage.mockResolvedValue(page);
    show(makeQueueView(many, 5_000, { window: { from: 4_990, to: 5_050 } }));
    render(QueuePanel, { id: "queue" });
    await screen.findAllByTestId("queue-item");
    expect(mocked.queuePage.mock.calls).toEqual([[0, 100]]);
    const rows = document.querySelectorAll("[role=listitem]");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0].getAttribute("aria-setsize")).toBe("10000");
  });
});

describe("QueuePanel editing", () => {
  it("plays an entry by its id, and pauses the one playing", async () => {
    playerStore.status = makeQueueStatus(tracks, 1);
    await openPanel(1);
    await fireEvent.click(item("Song 4"));
    expect(mocked.jump).toHaveBeenCalledWith(103);
    await fireEvent.click(item("Song 2"));
    expect(mocked.pause).toHaveBeenCalledOnce();
  });

  it("moves an entry within next up with Alt+arrows, shown at once", async () => {
    await openPanel(1);
    await fireEvent.keyDown(item("Song 3"), { key: "ArrowDown", altKey: true });
    expect(mocked.moveInQueue).toHaveBeenCalledWith([102], 3);
    expect(titles()).toEqual(["Song 1", "Song 2", "Song 4", "Song 3", "Song 5"]);
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe("Song 3"));

    // Not above the one playing.
    await fireEvent.keyDown(item("Song 4"), { key: "ArrowUp", altKey: true });
    expect(mocked.moveInQueue).toHaveBeenCalledOnce();
  });

  it("removes an entry with Delete and its button, never the one playing", async () => {
    await openPanel(1);
    await fireEvent.keyDown(item("Song 4"), { key: "Delete" });
    expect(mocked.removeFromQueue).toHaveBeenCalledWith([103]);
    expect(titles()).toEqual(["Song 1", "Song 2", "Song 3", "Song 5"]);
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe("Song 5"));

    await fireEvent.keyDown(item("Song 2"), { key: "Delete" });
    expect(mocked.removeFromQueue).toHaveBeenCalledOnce();

    const row = item("Song 1").closest<HTMLElement>("[role=listitem]")!;
    await fireEvent.click(within(row).getByTestId("queue-remove"));
    expect(mocked.removeFromQueue).toHaveBeenLastCalledWith([100]);
  });

  it("drops a dragged entry into a gap of its own section only", async () => {
    await openPanel(1);
    const row = (title: string) => item(title).closest<HTMLElement>("[role=listitem]")!;
    // jsdom lays nothing out and has no pointer position on drag events: a drop lands on
    // the upper half of its row, before it.
    await fireEvent.dragStart(row("Song 3"));
    await fireEvent.dragOver(row("Song 5"));
    await fireEvent.drop(row("Song 5"));
    expect(mocked.moveInQueue).toHaveBeenCalledWith([102], 3);
    expect(titles()).toEqual(["Song 1", "Song 2", "Song 4", "Song 3", "Song 5"]);

    // Not above the one playing.
    await fireEvent.dragStart(row("Song 4"));
    await fireEvent.drop(row("Song 1"));
    expect(mocked.moveInQueue).toHaveBeenCalledOnce();
  });

  it("moves focus between entries with the arrows, one of them in the Tab order", async () => {
    await openPanel(1);
    const tabbable = () => screen.getAllByTestId("queue-item").filter((item) => item.tabIndex === 0);
    expect(tabbable().map((item) => item.textContent)).toEqual(["Song 2"]);
    item("Song 2").focus();
    await fireEvent.keyDown(item("Song 2"), { key: "ArrowDown" });
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe("Song 3"));
    await fireEvent.keyDown(item("Song 3"), { key: "End" });
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe("Song 5"));
    expect(tabbable().map((item) => item.textContent)).toEqual(["Song 5"]);
  });

  it("clears next up", async () => {
    await openPanel(1);
    await fireEvent.click(screen.getByTestId("queue-clear"));
    expect(mocked.clearQueue).toHaveBeenCalledOnce();
    expect(titles()).toEqual(["Song 1", "Song 2"]);
    expect((screen.getByTestId("queue-clear") as HTMLButtonElement).disabled).toBe(true);
  });

  it("saves the queue as a playlist under the name typed", async () => {
    mocked.saveQueueAsPlaylist.mockResolvedValue({
      id: "p9",
      name: "Road trip",
      description: "",
      item_count: 5,
      unsynced_edits: 1,
      offline: false,
      public: false,
      duration_ms: 0,
    });
    mocked.playlists.mockResolvedValue([]);
    await openPanel(1);
    await fireEvent.click(screen.getByTestId("queue-save"));
    const name = screen.getByTestId("queue-save-name") as HTMLInputElement;
    expect(document.activeElement).toBe(name);
    await fireEvent.input(name, { target: { value: "Road trip" } });
    await fireEvent.click(screen.getByTestId("queue-save-confirm"));
    await vi.waitFor(() => expect(screen.getByTestId("queue-saved").textContent).toContain("Saved as “Road trip”."));
    expect(mocked.saveQueueAsPlaylist).toHaveBeenCalledWith("Road trip");
    expect(screen.queryByTestId("queue-save-form")).toBeNull();
  });

  it("says why the queue could not be saved, keeping the form", async () => {
    mocked.saveQueueAsPlaylist.mockRejectedValue({ kind: "storage_full", message: "The disk is full." });
    await openPanel(1);
    await fireEvent.click(screen.getByTestId("queue-save"));
    await fireEvent.click(screen.getByTestId("queue-save-confirm"));
    expect((await screen.findByTestId("queue-save-error")).textContent).toBe("The disk is full.");
    await fireEvent.keyDown(screen.getByTestId("queue-save-name"), { key: "Escape" });
    expect(screen.queryByTestId("queue-save-form")).toBeNull();
  });
});

describe("QueuePanel selection", () => {
  it("selects with Ctrl-click and Shift-click, never the one playing; a plain click plays", async () => {
    await openPanel(1);
    await fireEvent.click(item("Song 3"), { ctrlKey: true });
    await fireEvent.click(item("Song 5"), { ctrlKey: true });
    expect(selectedTitles()).toEqual(["Song 3", "Song 5"]);
    expect(screen.getByTestId("queue-selected-count").textContent).toBe("2 selected");
    expect(item("Song 3").getAttribute("aria-label")).toMatch(/, selected$/);
    // From the last one toggled.
    await fireEvent.click(item("Song 3"), { shiftKey: true });
    await vi.waitFor(() => expect(selectedTitles()).toEqual(["Song 3", "Song 4", "Song 5"]));
    await fireEvent.click(item("Song 2"), { ctrlKey: true });
    expect(selectedTitles()).toEqual(["Song 3", "Song 4", "Song 5"]);
    expect(mocked.jump).not.toHaveBeenCalled();
    expect(mocked.pause).not.toHaveBeenCalled();

    await fireEvent.click(item("Song 4"));
    expect(mocked.jump).toHaveBeenCalledWith(103);
    expect(selectedTitles()).toEqual([]);
    expect(screen.queryByTestId("queue-selected-count")).toBeNull();
  });

  it("selects next up with Ctrl+A, a range with Shift+arrows, and clears on Escape", async () => {
    await openPanel(1);
    await fireEvent.keyDown(item("Song 3"), { key: "a", ctrlKey: true });
    await vi.waitFor(() => expect(selectedTitles()).toEqual(["Song 3", "Song 4", "Song 5"]));
    const escape = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    item("Song 3").dispatchEvent(escape);
    flushSync();
    expect(escape.defaultPrevented).toBe(true);
    expect(selectedTitles()).toEqual([]);

    await fireEvent.keyDown(item("Song 3"), { key: "ArrowDown", shiftKey: true });
    await vi.waitFor(() => expect(selectedTitles()).toEqual(["Song 3", "Song 4"]));
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe("Song 4"));
    await fireEvent.keyDown(item("Song 4"), { key: "ArrowDown", shiftKey: true });
    await vi.waitFor(() => expect(selectedTitles()).toEqual(["Song 3", "Song 4", "Song 5"]));
  });

  it("moves the selection as one block with Alt+arrows, and removes it with Delete", async () => {
    await openPanel(0);
    await fireEvent.click(item("Song 3"), { ctrlKey: true });
    await fireEvent.click(item("Song 5"), { ctrlKey: true });
    await fireEvent.keyDown(item("Song 5"), { key: "ArrowUp", altKey: true });
    expect(mocked.moveInQueue).toHaveBeenCalledWith([102, 104], 1);
    expect(titles()).toEqual(["Song 1", "Song 3", "Song 5", "Song 2", "Song 4"]);
    expect(selectedTitles()).toEqual(["Song 3", "Song 5"]);

    await fireEvent.keyDown(item("Song 3"), { key: "Delete" });
    expect(mocked.removeFromQueue).toHaveBeenCalledWith([102, 104]);
    expect(titles()).toEqual(["Song 1", "Song 2", "Song 4"]);
    await vi.waitFor(() => expect(screen.queryByTestId("queue-selected-count")).toBeNull());
  });

  it("drags the selection together, and removes it from the header", async () => {
    await openPanel(1);
    const row = (title: string) => item(title).closest<HTMLElement>("[role=listitem]")!;
    await fireEvent.click(item("Song 3"), { ctrlKey: true });
    await fireEvent.click(item("Song 5"), { ctrlKey: true });
    // Dropped before Song 4 (jsdom: the upper half): gathered there, in their order.
    await fireEvent.dragStart(row("Song 5"));
    await fireEvent.dragOver(row("Song 4"));
    await fireEvent.drop(row("Song 4"));
    expect(mocked.moveInQueue).toHaveBeenCalledWith([102, 104], 2);
    expect(titles()).toEqual(["Song 1", "Song 2", "Song 3", "Song 5", "Song 4"]);

    await fireEvent.click(screen.getByTestId("queue-remove-selected"));
    expect(mocked.removeFromQueue).toHaveBeenCalledWith([102, 104]);
    expect(titles()).toEqual(["Song 1", "Song 2", "Song 4"]);
  });
});
