// Lyrics for the lyrics panel: the track's, synced line by line when a source has the times.
import type { LyricsView } from "./bindings";
import { call } from "./transport";

/** `trackId`'s lyrics (a lookup may take a few seconds the first time; then they are kept). */
export function lyrics(trackId: string): Promise<LyricsView> {
  return call("lyrics", { trackId });
}
