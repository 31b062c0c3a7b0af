// The listener's own music: choosing files (the OS's picker, or files dropped on the window),
// the transfers panel, "My uploads", what others share and their pages.
import type {
  ListenerProfile,
  Page,
  SharedPlaylist,
  Track,
  TransfersStatus,
  Upload,
  UploadCandidates,
  UploadPatch,
  UploadRequest,
} from "./bindings";
import { call, subscribe, type Unlisten } from "./transport";

/** The transfers moved on: a `TransfersStatus`. */
export const TRANSFERS_STATUS_EVENT = "transfers-status";
/** The listener's uploads on the service changed (here, in processing, or on another device). */
export const UPLOADS_CHANGED_EVENT = "uploads-changed";
/** Tauri's own event for files dropped on the window: their paths. */
const DRAG_DROP_EVENT = "tauri://drag-drop";

/** The OS's file picker, filtered to audio; the paths chosen (none when cancelled). */
export function chooseFilesToUpload(title: string, filter: string): Promise<string[]> {
  return call("choose_files_to_upload", { title, filter });
}

/** What files and folders would be sent as: their tags, checked against the limits. */
export function uploadCandidates(paths: readonly string[]): Promise<UploadCandidates> {
  return call("upload_candidates", { paths: [...paths] });
}

export function uploadFiles(requests: readonly UploadRequest[]): Promise<TransfersStatus> {
  return call("upload_files", { requests: [...requests] });
}

export function transfers(): Promise<TransfersStatus> {
  return call("transfers");
}

export function pauseTransfer(id: string): Promise<TransfersStatus> {
  return call("pause_transfer", { id });
}

export function resumeTransfer(id: string): Promise<TransfersStatus> {
  return call("resume_transfer", { id });
}

export function cancelTransfer(id: string): Promise<TransfersStatus> {
  return call("cancel_transfer", { id });
}

export function onTransfersStatus(callback: (status: TransfersStatus) => void): Promise<Unlisten> {
  return subscribe<TransfersStatus>(TRANSFERS_STATUS_EVENT, callback);
}

export function onUploadsChanged(callback: () => void): Promise<Unlisten> {
  return subscribe<null>(UPLOADS_CHANGED_EVENT, () => callback());
}

/** Files or folders dropped on the window. */
export function onFilesDropped(callback: (paths: string[]) => void): Promise<Unlisten> {
  return subscribe<{ paths: string[] }>(DRAG_DROP_EVENT, (payload) => {
    if (payload.paths.length > 0) callback(payload.paths);
  });
}

/** The listener's tracks on the service, newest first. */
export function myUploads(cursor: string | null): Promise<Page<Upload>> {
  return call("my_uploads", { cursor });
}

export function updateUpload(id: string, patch: UploadPatch): Promise<Upload> {
  return call("update_upload", { id, patch });
}

/** The OS's picker for one JPEG or PNG image; its path, or null when cancelled. */
export function chooseImage(title: string, filter: string): Promise<string | null> {
  return call("choose_image", { title, filter });
}

export function setUploadCover(id: string, image: string): Promise<Upload> {
  return call("set_upload_cover", { id, image });
}

export function deleteUpload(id: string): Promise<void> {
  return call("delete_upload", { id });
}

/** What listeners share, newest first. */
export function exploreUploads(cursor: string | null): Promise<Page<Track>> {
  return call("explore_uploads", { cursor });
}

export function listenerProfile(id: string): Promise<ListenerProfile> {
  return call("listener_profile", { id });
}

/** A public playlist (another listener's), read-only, with its first tracks' data. */
export function sharedPlaylist(id: string): Promise<SharedPlaylist> {
  return call("shared_playlist", { id });
}

/** The tracks of a shared playlist's rows, as the list scrolls to them (asked of the service if need be). */
export function sharedTracks(ids: readonly string[]): Promise<Track[]> {
  return call("shared_tracks", { ids: [...ids] });
}
