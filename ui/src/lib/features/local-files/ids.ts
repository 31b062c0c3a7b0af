// The ids of the listener's own files (Local files), as the core gives them: a track's is its
// file's `file://` URL, an album's starts `local-album:`, an artist's `local-artist:`, a
// playlist's kept on this computer `local-playlist:`. The rest of the window tells them from a
// service's by these, to open their own pages and to offer only what applies to a file on this
// computer.

export function isLocalTrackId(id: string): boolean {
  return id.slice(0, 7).toLowerCase() === "file://";
}

export function isLocalAlbumId(id: string): boolean {
  return id.startsWith("local-album:");
}

export function isLocalArtistId(id: string): boolean {
  return id.startsWith("local-artist:");
}

/** A playlist kept on this computer (`local-playlist:` and a UUID), not an account's. */
export function isLocalPlaylistId(id: string): boolean {
  return id.startsWith("local-playlist:");
}
