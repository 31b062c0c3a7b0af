import { m } from "$lib/i18n";
import { navigation } from "$lib/navigation/navigation.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import * as ipc from "../../../ipc";
import type {
  AppError,
  Page,
  Transfer,
  TransfersStatus,
  Upload,
  UploadCandidate,
  UploadDetails,
  UploadLimits,
  UploadPatch,
  Visibility,
} from "../../../ipc";
import { PageLoader } from "../page-loader.svelte";

/** A file in the upload sheet, as the listener is confirming it. */
export interface Draft {
  candidate: UploadCandidate;
  details: UploadDetails;
  visibility: Visibility;
  /** Sent when the sheet is confirmed (never for a file the service would refuse). */
  included: boolean;
}

/** The sheet shown before an upload: the files, their details, the service's limits. */
export interface Sheet {
  drafts: Draft[];
  limits: UploadLimits | null;
  /** Reading the files' tags. */
  reading: boolean;
  sending: boolean;
  error: AppError | null;
}

/**
 * The listener's own music: the sheet that confirms files before they are sent (chosen in
 * the OS's picker or dropped on the window), the transfers on their way, and the tracks on
 * the service ("Your uploads") with what can be done to them.
 */
export class UploadsStore {
  transfers = $state.raw<TransfersStatus | null>(null);
  readonly mine = new PageLoader<Page<Upload>>(() => ipc.myUploads(null));
  sheet = $state<Sheet | null>(null);
  /** A failed action ("Couldn't delete …"), in words. */
  actionError = $state<(AppError & { action: string }) | null>(null);
  #stops: ipc.Unlisten[] = [];
  #started = false;

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    let stops: ipc.Unlisten[];
    try {
      stops = await Promise.all([
        ipc.onTransfersStatus((status) => this.#follow(status)),
        ipc.onFilesDropped((paths) => void this.prepare(paths)),
        // Processed, edited or deleted, here or on another device: read again if shown.
        ipc.onUploadsChanged(() => void this.mine.reload()),
      ]);
    } catch {
      // No shell to listen to (a window without Tauri): nothing arrives, nothing to stop.
      this.#started = false;
      return;
    }
    if (!this.#started) {
      for (const stop of stops) stop();
      return;
    }
    this.#stops = stops;
    try {
      this.transfers = await ipc.transfers();
    } catch {
      // No library yet: the panel stays empty until the first status.
    }
  }

  stop(): void {
    this.#started = false;
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  /** Forgets what the account had (another account, or none, follows). */
  reset(): void {
    this.transfers = null;
    this.sheet = null;
    this.actionError = null;
    this.mine.reset();
  }

  /** The OS's picker, then the sheet for what was chosen. */
  async choose(): Promise<void> {
    const paths = await ipc.chooseFilesToUpload(m.upload_choose_title(), m.upload_filter_audio());
    if (paths.length > 0) await this.prepare(paths);
  }

  /** Reads what `paths` would be sent as and shows the sheet to confirm it. */
  async prepare(paths: readonly string[]): Promise<void> {
    // Files dropped on the window of an account whose service takes no uploads: nothing to
    // offer (the window shows no upload anywhere for it).
    if (!sessionStore.features.uploads) return;
    this.sheet = { drafts: [], limits: null, reading: true, sending: false, error: null };
    try {
      const read = await ipc.uploadCandidates(paths);
      if (!this.sheet) return;
      this.sheet = {
        ...this.sheet,
        reading: false,
        limits: read.limits,
        drafts: read.candidates.map((candidate) => ({
          candidate,
          details: { ...candidate.details },
          visibility: "private",
          included: candidate.refusal === null,
        })),
      };
    } catch (error) {
      if (this.sheet) this.sheet = { ...this.sheet, reading: false, error: ipc.toAppError(error) };
    }
  }

  /** Every included file made public, or private. */
  setAllVisibility(visibility: Visibility): void {
    if (!this.sheet) return;
    for (const draft of this.sheet.drafts) draft.visibility = visibility;
  }

  cancelSheet(): void {
    this.sheet = null;
  }

  /** Sends the included files; the transfers panel follows them. */
  async send(): Promise<void> {
    const sheet = this.sheet;
    if (!sheet) return;
    const requests = sheet.drafts
      .filter((draft) => draft.included && draft.candidate.refusal === null)
      .map((draft) => ({ path: draft.candidate.path, details: cleanDetails(draft.details), visibility: draft.visibility }));
    if (requests.length === 0) return;
    sheet.sending = true;
    sheet.error = null;
    try {
      this.transfers = await ipc.uploadFiles(requests);
      this.sheet = null;
      navigation.go({ kind: "uploads" });
    } catch (error) {
      sheet.error = ipc.toAppError(error);
    } finally {
      sheet.sending = false;
    }
  }

  pause(transfer: Transfer): Promise<void> {
    return this.#transfer(m.upload_pause_failed({ name: transfer.file_name }), () => ipc.pauseTransfer(transfer.id));
  }

  resume(transfer: Transfer): Promise<void> {
    return this.#transfer(m.upload_resume_failed({ name: transfer.file_name }), () => ipc.resumeTransfer(transfer.id));
  }

  cancel(transfer: Transfer): Promise<void> {
    return this.#transfer(m.upload_cancel_failed({ name: transfer.file_name }), () => ipc.cancelTransfer(transfer.id));
  }

  setVisibility(upload: Upload, visibility: Visibility): Promise<void> {
    return this.edit(upload, { visibility });
  }

  /** Changes a track's details or visibility on the service. */
  edit(upload: Upload, patch: UploadPatch): Promise<void> {
    return this.#act(m.upload_edit_failed({ name: titleOf(upload) }), () => ipc.updateUpload(upload.id, patch));
  }

  /** A new cover from an image the listener chooses in the OS's picker. */
  async changeCover(upload: Upload): Promise<void> {
    const image = await ipc.chooseImage(m.upload_cover_choose(), m.upload_cover_filter());
    if (image === null) return;
    await this.#act(m.upload_edit_failed({ name: titleOf(upload) }), () => ipc.setUploadCover(upload.id, image));
  }

  delete(upload: Upload): Promise<void> {
    return this.#act(m.upload_delete_failed({ name: titleOf(upload) }), () => ipc.deleteUpload(upload.id));
  }

  #follow(status: TransfersStatus): void {
    const before = (this.transfers?.transfers ?? []).filter((t) => t.state === "ready").map((t) => t.id);
    this.transfers = status;
    // A transfer that became a track shows in "Your uploads" as such.
    if (status.transfers.some((t) => t.state === "ready" && !before.includes(t.id)) && this.mine.key !== null) {
      void this.mine.reload();
    }
  }

  async #transfer(action: string, command: () => Promise<TransfersStatus>): Promise<void> {
    this.actionError = null;
    try {
      this.transfers = await command();
    } catch (error) {
      this.actionError = { ...ipc.toAppError(error), action };
    }
  }

  async #act(action: string, command: () => Promise<unknown>): Promise<void> {
    this.actionError = null;
    try {
      await command();
    } catch (error) {
      this.actionError = { ...ipc.toAppError(error), action };
    }
    await this.mine.reload();
  }
}

export const uploadsStore = new UploadsStore();

/** Details with empty fields left out, so the file's own tags or name fill them. */
export function cleanDetails(details: UploadDetails): UploadDetails {
  const text = (value: string | null | undefined) => {
    const trimmed = value?.trim();
    return trimmed ? trimmed : undefined;
  };
  const cleaned: UploadDetails = {};
  const title = text(details.title);
  const artist = text(details.artist);
  const album = text(details.album);
  if (title) cleaned.title = title;
  if (artist) cleaned.artist = artist;
  if (album) cleaned.album = album;
  if (details.track_number && details.track_number > 0) cleaned.track_number = details.track_number;
  return cleaned;
}

/** The name a track goes by in messages: its title, else its file's name. */
export function titleOf(upload: Upload): string {
  return upload.track?.title ?? upload.details.title ?? upload.file_name;
}

/** The share of a transfer sent, 0..1. */
export function sentFraction(transfer: Pick<Transfer, "bytes_sent" | "size">): number {
  if (!(transfer.size > 0)) return 0;
  return Math.min(1, Math.max(0, transfer.bytes_sent / transfer.size));
}

/** What a transfer is doing, in words. */
export function transferWords(transfer: Transfer): string {
  switch (transfer.state) {
    case "queued":
      return transfer.message ?? m.transfer_queued();
    case "uploading":
      return m.transfer_uploading({ percent: Math.round(sentFraction(transfer) * 100) });
    case "paused":
      return m.transfer_paused();
    case "processing":
      return m.transfer_processing();
    case "ready":
      return m.transfer_ready();
    case "failed":
      return transfer.message ?? m.transfer_failed();
  }
}

/** Where an upload on the service stands, in words. */
export function uploadWords(upload: Upload): string {
  if (upload.takedown) return m.upload_taken_down({ reason: upload.takedown.reason });
  switch (upload.status) {
    case "uploading":
      return m.upload_status_uploading();
    case "processing":
      return m.upload_status_processing({ percent: Math.round(upload.progress * 100) });
    case "ready":
      return upload.visibility === "public" ? m.upload_public() : m.upload_private();
    case "failed":
      return upload.failure?.message ?? m.transfer_failed();
  }
}

/** Whether the sheet has anything it would send. */
export function sendable(sheet: Sheet): number {
  return sheet.drafts.filter((draft) => draft.included && draft.candidate.refusal === null).length;
}
