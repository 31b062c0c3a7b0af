// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Page, Transfer, TransfersStatus, Upload, UploadCandidates } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  ...Object.fromEntries((await import("../../../test/library")).LIBRARY_IPC.map((name) => [name, vi.fn()])),
  chooseFilesToUpload: vi.fn(),
  uploadCandidates: vi.fn(),
  uploadFiles: vi.fn(),
  transfers: vi.fn(),
  pauseTransfer: vi.fn(),
  resumeTransfer: vi.fn(),
  cancelTransfer: vi.fn(),
  myUploads: vi.fn(),
  updateUpload: vi.fn(),
  deleteUpload: vi.fn(),
  playQueue: vi.fn(),
  onTransfersStatus: vi.fn(),
  onFilesDropped: vi.fn(),
  onUploadsChanged: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";
import { makeEntry, makePlaylist, makeSession } from "../../../test/fixtures";
import { sessionStore } from "$lib/stores/session.svelte";
import { stubLibrary } from "../../../test/library";
import UploadSheet from "./UploadSheet.svelte";
import UploadsScreen from "./UploadsScreen.svelte";
import { cleanDetails, sentFraction, transferWords, uploadWords, uploadsStore } from "./uploads.svelte";

const mocked = vi.mocked(ipc);

function transfer(overrides: Partial<Transfer>): Transfer {
  return {
    id: "lu-1",
    file_name: "Tape.flac",
    size: 40_000_000,
    bytes_sent: 10_000_000,
    bytes_per_sec: 2_000_000,
    state: "uploading",
    message: null,
    visibility: "private",
    details: {},
    track_id: "up-1",
    ...overrides,
  };
}

function status(transfers: Transfer[]): TransfersStatus {
  return {
    transfers,
    bytes_sent: transfers.reduce((sum, t) => sum + t.bytes_sent, 0),
    bytes_total: transfers.reduce((sum, t) => sum + t.size, 0),
    error: null,
  };
}

function upload(overrides: Partial<Upload>): Upload {
  return {
    id: "up-9",
    file_name: "Garage.wav",
    size: 12_000_000,
    status: "ready",
    progress: 1,
    visibility: "private",
    details: { title: "Garage Tape" },
    failure: null,
    takedown: null,
    track: {
      id: "up-9",
      title: "Garage Tape",
      artist_id: "uar-1",
      artist_name: "The Uploaders",
      album_id: "ual-1",
      album_title: "Home Recordings",
      track_number: 3,
      duration_ms: 70_000,
      cover_path: null,
      replaygain: null,
      owner: { id: "sub-1", name: "demo" },
    },
    created_at: 1,
    updated_at: 1,
    ...overrides,
  };
}

function page(items: Upload[]): Page<Upload> {
  return { items, next_cursor: null };
}

beforeEach(() => {
  // A Strato account: every feature on offer.
  sessionStore.current = makeSession("http://music.local", "ana");
  vi.resetAllMocks();
  uploadsStore.reset();
  navigation.reset();
  mocked.myUploads.mockResolvedValue(page([]));
});

describe("the upload sheet", () => {
  const candidates: UploadCandidates = {
    limits: {
      max_file_bytes: 1_000_000_000,
      max_duration_ms: 10_800_000,
      quota_bytes: 10_000_000_000,
      used_bytes: 0,
      formats: [{ name: "FLAC", extensions: ["flac"] }],
    },
    candidates: [
      {
        path: "/music/Tape.flac",
        file_name: "Tape.flac",
        size: 30_000_000,
        format: "FLAC",
        details: { title: "Tape", artist: "Me" },
        duration_ms: 240_000,
        refusal: null,
      },
      {
        path: "/music/notes.txt",
        file_name: "notes.txt",
        size: 10,
        format: null,
        details: {},
        duration_ms: null,
        refusal: "notes.txt is not a kind of file Strato uploads.",
      },
    ],
  };

  it("shows what each file will be sent as, leaves out what the service refuses, and sends the rest private unless chosen", async () => {
    mocked.uploadCandidates.mockResolvedValue(candidates);
    mocked.uploadFiles.mockResolvedValue(status([transfer({ state: "queued", bytes_sent: 0 })]));
    render(UploadSheet);
    await uploadsStore.prepare(["/music"]);
    const drafts = await vi.waitFor(() => {
      const found = screen.getAllByTestId("upload-draft");
      expect(found).toHaveLength(2);
      return found;
    });
    expect((within(drafts[0]).getByTestId("upload-title") as HTMLInputElement).value).toBe("Tape");
    expect(within(drafts[1]).getByTestId("upload-refusal").textContent).toContain("not a kind of file");
    const send = screen.getByTestId("upload-send");
    expect(send.textContent).toContain("Upload 1 file");

    await fireEvent.input(within(drafts[0]).getByTestId("upload-title"), { target: { value: "  Tape (demo) " } });
    await fireEvent.click(send);
    expect(mocked.uploadFiles).toHaveBeenCalledWith([
      { path: "/music/Tape.flac", details: { title: "Tape (demo)", artist: "Me" }, visibility: "private" },
    ]);
    await vi.waitFor(() => expect(screen.queryByTestId("upload-sheet")).toBeNull());
    expect(navigation.route).toEqual({ kind: "uploads" });
  });

  it("says why the files could not be read, and Escape closes it", async () => {
    mocked.uploadCandidates.mockRejectedValue({ kind: "network", message: "The service cannot be reached." });
    render(UploadSheet);
    await uploadsStore.prepare(["/music"]);
    await vi.waitFor(() => expect(screen.getByRole("alert").textContent).toBe("The service cannot be reached."));
    await fireEvent.keyDown(screen.getByTestId("upload-sheet"), { key: "Escape" });
    expect(screen.queryByTestId("upload-sheet")).toBeNull();
  });
});

describe("your uploads", () => {
  it("shows transfers with progress and speed, and pauses, resumes and cancels them", async () => {
    const failed = transfer({ id: "lu-2", file_name: "Live.wav", state: "failed", message: "This file is 3 MB; the largest we take is 2 MB." });
    uploadsStore.transfers = status([transfer({}), failed]);
    mocked.pauseTransfer.mockResolvedValue(status([transfer({ state: "paused" }), failed]));
    mocked.resumeTransfer.mockResolvedValue(status([transfer({ state: "paused" }), { ...failed, state: "queued" }]));
    render(UploadsScreen);
    const rows = screen.getAllByTestId("transfer");
    expect(rows[0].textContent).toContain("Uploading · 25%");
    expect(rows[0].textContent).toContain("1.9 MB/s");
    expect(within(rows[0]).getByRole("progressbar").getAttribute("aria-valuenow")).toBe("25");
    expect(rows[1].textContent).toContain("the largest we take is 2 MB");

    await fireEvent.click(within(rows[0]).getByLabelText("Pause Tape.flac"));
    expect(mocked.pauseTransfer).toHaveBeenCalledWith("lu-1");
    await vi.waitFor(() => expect(screen.getAllByTestId("transfer")[0].dataset.state).toBe("paused"));
    await fireEvent.click(within(screen.getAllByTestId("transfer")[1]).getByLabelText("Try Live.wav again"));
    expect(mocked.resumeTransfer).toHaveBeenCalledWith("lu-2");
  });

  it("lists the tracks with their status, switches visibility, and deletes only once confirmed", async () => {
    mocked.myUploads.mockResolvedValue(
      page([
        upload({}),
        upload({ id: "up-8", status: "failed", track: null, details: {}, file_name: "fake.mp3", failure: { kind: "not_audio", message: "This file is not audio we can read." } }),
        upload({ id: "up-7", visibility: "public", takedown: { reason: "Reported by the rights holder.", at: 5 } }),
      ]),
    );
    mocked.updateUpload.mockResolvedValue(upload({ visibility: "public" }));
    mocked.deleteUpload.mockResolvedValue(undefined);
    render(UploadsScreen);
    const rows = await vi.waitFor(() => {
      const found = screen.getAllByTestId("upload-row");
      expect(found).toHaveLength(3);
      return found;
    });
    expect(within(rows[0]).getByTestId("upload-status").textContent?.trim()).toBe("Private");
    expect(within(rows[1]).getByTestId("upload-status").textContent?.trim()).toBe("This file is not audio we can read.");
    expect(within(rows[2]).getByTestId("upload-status").textContent?.trim()).toBe("Taken down: Reported by the rights holder.");
    expect(within(rows[2]).queryByTestId("upload-visibility-toggle")).toBeNull();

    await fireEvent.click(within(rows[0]).getByTestId("upload-visibility-toggle"));
    expect(mocked.updateUpload).toHaveBeenCalledWith("up-9", { visibility: "public" });

    await fireEvent.click(within(rows[0]).getByLabelText("Edit Garage Tape"));
    await fireEvent.input(within(rows[0]).getByLabelText("Title"), { target: { value: "Garage Tape (live)" } });
    await fireEvent.input(within(rows[0]).getByLabelText("Track number"), { target: { value: "4" } });
    await fireEvent.click(within(rows[0]).getByTestId("upload-edit-save"));
    expect(mocked.updateUpload).toHaveBeenLastCalledWith("up-9", { title: "Garage Tape (live)", artist: "", album: "", track_number: 4 });

    await fireEvent.click(within(rows[0]).getByLabelText("Delete Garage Tape"));
    expect(mocked.deleteUpload).not.toHaveBeenCalled();
    await fireEvent.click(within(rows[0]).getByTestId("upload-delete-confirm"));
    expect(mocked.deleteUpload).toHaveBeenCalledWith("up-9");
  });
});

describe("words", () => {
  it("say where a transfer and an upload stand", () => {
    expect(transferWords(transfer({ state: "queued", message: "Waiting for the network." }))).toBe("Waiting for the network.");
    expect(transferWords(transfer({ state: "processing" }))).toBe("Processing");
    expect(uploadWords(upload({ status: "processing", progress: 0.42 }))).toBe("Processing · 42%");
    expect(uploadWords(upload({ visibility: "public" }))).toBe("Public");
    expect(sentFraction({ bytes_sent: 5, size: 0 })).toBe(0);
    expect(cleanDetails({ title: " ", artist: " A ", track_number: 0 })).toEqual({ artist: "A" });
  });
});

describe("uploads changed on the service", () => {
  it("reads the list again when told, as when another device deleted or processing ended", async () => {
    let told: (() => void) | undefined;
    mocked.onUploadsChanged.mockImplementation((callback) => {
      told = callback;
      return Promise.resolve(() => {});
    });
    mocked.onTransfersStatus.mockResolvedValue(() => {});
    mocked.onFilesDropped.mockResolvedValue(() => {});
    mocked.transfers.mockResolvedValue(status([]));
    await uploadsStore.start();
    render(UploadsScreen);
    await vi.waitFor(() => expect(mocked.myUploads).toHaveBeenCalledTimes(1));
    expect(screen.queryByText("Garage Tape")).toBeNull();

    mocked.myUploads.mockResolvedValue(page([upload({})]));
    told?.();
    await vi.waitFor(() => expect(screen.getByText("Garage Tape")).toBeTruthy());
    expect(mocked.myUploads).toHaveBeenCalledTimes(2);
    uploadsStore.stop();
  });
});

describe("a track's menu in Your uploads", () => {
  it("adds the upload to a playlist, as any track row's menu does", async () => {
    stubLibrary(mocked);
    mocked.playlists.mockResolvedValue([makePlaylist("p1", { name: "Porch Mix" })]);
    await libraryStore.start();
    mocked.editPlaylist.mockResolvedValue({
      playlist: makePlaylist("p1", { name: "Porch Mix", item_count: 1 }),
      changes: [{ kind: "added", position: 0, items: [makeEntry("up-9")] }],
    });
    mocked.myUploads.mockResolvedValue(page([upload({}), upload({ id: "up-8", takedown: { reason: "Not yours", at: 1 } })]));
    render(UploadsScreen);
    const menus = await vi.waitFor(() => {
      const found = screen.getAllByTestId("upload-menu");
      expect(found).toHaveLength(1);
      return found;
    });
    expect(menus[0].getAttribute("aria-label")).toContain("Garage Tape");
    await fireEvent.click(menus[0]);
    await fireEvent.click(await screen.findByTestId("menu-add-to-playlist"));
    const option = await screen.findByTestId("add-to-playlist-option");
    expect(option.textContent?.trim()).toBe("Porch Mix");
    await fireEvent.click(option);
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "add", track_ids: ["up-9"], position: null }]);
    expect(screen.queryByTestId("track-menu")).toBeNull();
    libraryStore.stop();
  });
});
