// Playlist files: an M3U, M3U8 or XSPF brought in (read and matched first, created once the
// listener confirms) and any playlist sent out, an account's or one on this computer
// (`exportPlaylist` takes a `local-playlist:` id too).
import type { ImportedPlaylists, PlaylistImport } from "./bindings";
import { call } from "./transport";

/** Asks for a playlist file (the OS's open dialog); `null` when the listener cancelled. */
export function choosePlaylistFile(title: string, filter: string): Promise<string | null> {
  return call("choose_playlist_file", { title, filter });
}

/**
 * Reads a playlist file and matches its entries to the service's tracks and (by path) to the
 * files on this computer (`local_matched` of `matched`); creates nothing.
 */
export function readPlaylistFile(path: string): Promise<PlaylistImport> {
  return call("read_playlist_file", { path });
}

/**
 * Creates the playlists of the tracks an import matched: the service's tracks as an account
 * playlist (`library`), the files on this computer as a playlist on this computer (`local`),
 * both under `name` when the file named both.
 */
export function importPlaylist(name: string, trackIds: readonly string[]): Promise<ImportedPlaylists> {
  return call("import_playlist", { name, trackIds: [...trackIds] });
}

/**
 * Asks where to save a playlist (the OS's save dialog: M3U8, or XSPF by the name's ending)
 * and writes it there; the file's path, or `null` when the listener cancelled.
 */
export function exportPlaylist(id: string, name: string, title: string): Promise<string | null> {
  return call("export_playlist", { id, name, title });
}
