/**
 * What a track list calls to edit the playlist it shows, by its rows' keys: an account's
 * playlist (the library store) and a playlist on this computer (the local playlists store)
 * are kept apart, and the list, its keyboard, its drag and drop and its menu know neither.
 */
import type { ItemMove } from "./moves";

export interface ListEditor {
  /** The playlist shown (a drag out of it names it; its own entry is left out of "Add to playlist"). */
  readonly id: string;
  /** Takes the rows `keys` (in the list's order) out, as one edit; false when it could not. */
  remove(keys: readonly string[]): Promise<boolean>;
  /** Moves rows as `moves` say (see `moves.ts`), as one edit; `moving` are the rows that move. */
  move(moves: readonly ItemMove[], moving: readonly string[]): Promise<boolean>;
}
