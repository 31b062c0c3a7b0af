// The "Local files" source: the listener's music folders on this computer (added, removed,
// scanned, watched by the Rust side), their tracks, albums and artists, and a search of them.
// Local tracks are plain `Track`s whose id is their file's `file://` URL: they play, queue and
// show covers (`coverUrl(track.album_id)`) like any other, signed out and offline too.
import type { Album, Artist, LocalAlbumPage, LocalArtistPage, LocalFilesView, SearchResults, Track } from "./bindings";
import { call, subscribe, type Unlisten } from "./transport";

/**
 * The folders or their index changed (a folder added or removed, a scan moving on or ending,
 * a file changed on disk): a `LocalFilesView`. Lists of tracks, albums or artists read again
 * when its `revision` moves.
 */
export const LOCAL_FILES_CHANGED_EVENT = "local-files-changed";

/** The music folders, their counts, the scan under way and the files that cannot be played. */
export function localFiles(): Promise<LocalFilesView> {
  return call("local_files");
}

/**
 * Adds the folder at `path` (a full path, e.g. from `chooseFolder`); its files are scanned in
 * the background. Rejects in words: not there, a file, unreadable, already added, or inside a
 * folder added.
 */
export function addLocalFolder(path: string): Promise<LocalFilesView> {
  return call("add_local_folder", { path });
}

/** Removes a music folder (its `path` as the view gives it) and its tracks; files stay on disk. */
export function removeLocalFolder(path: string): Promise<LocalFilesView> {
  return call("remove_local_folder", { path });
}

/** Scans every folder again in the background (only new or changed files are read). */
export function rescanLocalFiles(): Promise<LocalFilesView> {
  return call("rescan_local_files");
}

/** Every local track that plays, in album order. */
export function localTracks(): Promise<Track[]> {
  return call("local_tracks");
}

/** The local albums, by album artist then title. */
export function localAlbums(): Promise<Album[]> {
  return call("local_albums");
}

/** The local artists, by name. */
export function localArtists(): Promise<Artist[]> {
  return call("local_artists");
}

/** A local album (`local-album:…`) and its tracks; rejects `not_found` once it is gone. */
export function localAlbum(id: string): Promise<LocalAlbumPage> {
  return call("local_album", { id });
}

/** A local artist (`local-artist:…`), their albums and tracks. */
export function localArtist(id: string): Promise<LocalArtistPage> {
  return call("local_artist", { id });
}

/**
 * Local tracks matching every word of `query` (title, artist, album; case and accents aside),
 * best first, with their albums and artists; at most `limit` tracks (50 when `null`).
 */
export function localSearch(query: string, limit: number | null = null): Promise<SearchResults> {
  return call("local_search", { query, limit });
}

export function onLocalFilesChanged(callback: (view: LocalFilesView) => void): Promise<Unlisten> {
  return subscribe(LOCAL_FILES_CHANGED_EVENT, callback);
}
