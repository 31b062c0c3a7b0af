// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { localeStore } from "$lib/i18n";
import { makeFolder, makeLocalView, stubLocalFiles } from "../../../test/local-files";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LOCAL_FILES_IPC } = await import("../../../test/local-files");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries(LOCAL_FILES_IPC.map((name) => [name, vi.fn()])),
  };
});

import * as ipc from "../../../ipc";
import LocalFilesSettings from "./LocalFilesSettings.svelte";

const mocked = vi.mocked(ipc);

beforeEach(() => {
  vi.resetAllMocks();
});

afterEach(() => localeStore.use(null));

const folderRows = () =>
  screen.queryAllByTestId("local-folder").map((row) => ({
    path: within(row).getByTestId("local-folder-path").textContent,
    state: within(row).getByTestId("local-folder-state").textContent,
  }));

describe("Settings › Local files", () => {
  it("lists the folders with what each holds or why it cannot be read", async () => {
    stubLocalFiles(
      mocked,
      makeLocalView({
        folders: [makeFolder("/home/ana/Music", { tracks: 1204, failed: 2 }), makeFolder("/media/usb", { tracks: 1, state: "missing" })],
      }),
    );
    render(LocalFilesSettings);
    await vi.waitFor(() =>
      expect(folderRows()).toEqual([
        { path: "/home/ana/Music", state: "1,204 tracks · 2 cannot be played" },
        { path: "/media/usb", state: "Not found. Is its disk plugged in? Its 1 track is kept until the folder is back." },
      ]),
    );
    expect(screen.getByRole("heading", { name: "Local files" })).toBeTruthy();
  });

  it("adds a folder, removes one, and scans again, following the view each answers", async () => {
    const events = stubLocalFiles(mocked, makeLocalView());
    render(LocalFilesSettings);
    expect((await screen.findByTestId("local-no-folders")).textContent).toBe("No folder added yet.");
    const rescan = screen.getByRole("button", { name: "Scan again" }) as HTMLButtonElement;
    expect(rescan.disabled).toBe(true);

    mocked.chooseFolder.mockResolvedValueOnce("/home/ana/Music");
    mocked.addLocalFolder.mockResolvedValueOnce(makeLocalView({ folders: [makeFolder("/home/ana/Music")] }));
    await fireEvent.click(screen.getByRole("button", { name: "Add a folder…" }));
    await vi.waitFor(() => expect(folderRows().map((row) => row.path)).toEqual(["/home/ana/Music"]));

    // The scan's progress arrives as events, and the buttons wait for it.
    events.changed(
      makeLocalView({ folders: [makeFolder("/home/ana/Music")], scanning: { found: 10, unchanged: 0, read: 4, failed: 0, removed: 0 } }),
    );
    expect((await screen.findByTestId("local-scan")).textContent).toBe("Reading 4 of 10 files…");
    expect(rescan.disabled).toBe(true);
    events.changed(makeLocalView({ folders: [makeFolder("/home/ana/Music", { tracks: 10 })], tracks: 10 }));
    await vi.waitFor(() => expect(rescan.disabled).toBe(false));

    mocked.rescanLocalFiles.mockResolvedValueOnce(makeLocalView({ folders: [makeFolder("/home/ana/Music", { tracks: 10 })] }));
    await fireEvent.click(rescan);
    expect(mocked.rescanLocalFiles).toHaveBeenCalledTimes(1);

    mocked.removeLocalFolder.mockResolvedValueOnce(makeLocalView());
    await fireEvent.click(screen.getByRole("button", { name: "Remove /home/ana/Music from Local files" }));
    expect(mocked.removeLocalFolder).toHaveBeenCalledWith("/home/ana/Music");
    await screen.findByTestId("local-no-folders");
  });

  it("lists the files that cannot be played with why, and counts those beyond the list", async () => {
    stubLocalFiles(
      mocked,
      makeLocalView({
        folders: [makeFolder("/music", { tracks: 5, failed: 102 })],
        failed: [
          { path: "/music/broken.flac", problem: "damaged", reason: "This file is damaged or incomplete, so Strato cannot play it." },
          { path: "/music/notes.mp3", problem: "unreadable", reason: "This file could not be read (Input/output error (os error 5))." },
        ],
        failed_count: 102,
        watch_problem: { kind: "storage", message: "Strato cannot watch your music folders for changes: no more watches." },
      }),
    );
    render(LocalFilesSettings);
    const summary = await screen.findByTestId("local-failed-summary");
    expect(summary.textContent).toBe("102 files cannot be played.");
    const details = screen.getByTestId("local-failed") as HTMLDetailsElement;
    expect(details.open).toBe(false);
    await fireEvent.click(summary);
    expect(
      within(details)
        .getAllByTestId("local-failed-file")
        .map((file) => file.textContent),
    ).toEqual([
      "/music/broken.flacThis file is damaged or incomplete, so Strato cannot play it.",
      // The core's own sentence in English, the system's words in it.
      "/music/notes.mp3This file could not be read (Input/output error (os error 5)).",
    ]);
    expect(details.textContent).toContain("…and 100 more.");
    expect(screen.getByTestId("local-watch-problem").textContent).toBe(
      "Changes in your folders show only after a new scan: Strato cannot watch your music folders for changes: no more watches.",
    );
  });

  it("says in German why a file cannot be played and that a folder is missing", async () => {
    localeStore.use("de");
    stubLocalFiles(
      mocked,
      makeLocalView({
        folders: [makeFolder("/musik", { tracks: 5, failed: 2 }), makeFolder("/media/usb", { tracks: 3, state: "missing" })],
        failed: [
          { path: "/musik/kaputt.flac", problem: "damaged", reason: "This file is damaged or incomplete, so Strato cannot play it." },
          { path: "/musik/weg.mp3", problem: "gone", reason: "The file is no longer there." },
        ],
        failed_count: 2,
        scan_problem: { kind: "storage", message: "Your music folders could not be read to the end: The index of your local files could not be read or written." },
      }),
    );
    render(LocalFilesSettings);
    await vi.waitFor(() =>
      expect(folderRows()).toEqual([
        { path: "/musik", state: "5 Titel · 2 nicht abspielbar" },
        {
          path: "/media/usb",
          state: "Nicht gefunden. Ist das Laufwerk angeschlossen? Seine 3 Titel bleiben erhalten, bis der Ordner wieder da ist.",
        },
      ]),
    );
    const files = screen.getAllByTestId("local-failed-file").map((file) => file.textContent);
    expect(files).toEqual([
      "/musik/kaputt.flacDiese Datei ist beschädigt oder unvollständig, deshalb kann Strato sie nicht abspielen.",
      "/musik/weg.mp3Die Datei ist nicht mehr da.",
    ]);
    expect(screen.getByTestId("local-scan-problem").textContent).toBe(
      "Die letzte Suche wurde unterbrochen: Strato konnte seine Dateien auf diesem Computer nicht lesen oder schreiben.",
    );
  });

  it("says in words why a folder could not be removed", async () => {
    stubLocalFiles(mocked, makeLocalView({ folders: [makeFolder("/music")] }));
    render(LocalFilesSettings);
    mocked.removeLocalFolder.mockRejectedValueOnce({ kind: "not_found", message: "/music is not one of your music folders." });
    await fireEvent.click(await screen.findByRole("button", { name: "Remove /music from Local files" }));
    expect((await screen.findByTestId("settings-local-error")).textContent).toBe(
      "Couldn't remove the folder: /music is not one of your music folders.",
    );
  });
});
