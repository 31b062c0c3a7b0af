import { vi, type MockedObject } from "vitest";
import type * as ipcModule from "../ipc";
import type { LocalPlaylistPage, LocalPlaylistSummary, Track } from "../ipc";
import { makeLocalTrack } from "./local-files";

/** The ipc functions of the playlists on this computer; mock them all in a test that shows them. */
export const LOCAL_PLAYLISTS_IPC = [
  "localPlaylists",
  "localPlaylist",
  "createLocalPlaylist",
  "renameLocalPlaylist",
  "deleteLocalPlaylist",
  "editLocalPlaylist",
  "onLocalPlaylistsChanged",
] as const;

/** The core's refusal of an edit computed at a revision before another change. */
const CHANGED = { kind: "invalid_input", message: "The playlist changed meanwhile; look again." };
/** The core's refusal of an item the playlist no longer holds. */
const GONE_ITEM = {
  kind: "invalid_input",
  message: "An item chosen is no longer in this playlist: it changed meanwhile; look again.",
};

interface KeptItem {
  itemId: string;
  track: Track;
}

interface KeptPlaylist {
  id: string;
  name: string;
  items: KeptItem[];
  /** One more at every change of its name or items. */
  revision: number;
}

/**
 * The playlists on this computer as the core keeps them, behind the mocked ipc: what the
 * commands answer and refuse as `strato_local`'s playlists do (items by their own ids, a
 * batch of edits all or none, only `file://` ids, a gone playlist `not_found`, an item no
 * longer held or an edit naming a revision other than the playlist's refused), and the event
 * each change sends. A test reads `order` to see what the window's edits did.
 */
export class LocalPlaylistsCore {
  readonly playlists = new Map<string, KeptPlaylist>();
  /** Tracks the index knows, by id; an id it does not know is added as a track of that name. */
  readonly known = new Map<string, Track>();
  /** The files that are not found now (shown missing). */
  readonly missing = new Set<string>();
  #listeners = new Set<() => void>();
  #next = 1;
  #nextItem = 1;

  constructor(readonly mocked: MockedObject<typeof ipcModule>) {
    mocked.onLocalPlaylistsChanged.mockImplementation(async (callback) => {
      this.#listeners.add(callback);
      return vi.fn(() => void this.#listeners.delete(callback));
    });
    mocked.localPlaylists.mockImplementation(async () =>
      [...this.playlists.values()].map((kept) => this.summary(kept.id)).sort((a, b) => a.name.localeCompare(b.name)),
    );
    mocked.localPlaylist.mockImplementation(async (id) => this.page(id));
    mocked.createLocalPlaylist.mockImplementation(async (name, trackIds = []) => {
      if (!name.trim()) throw { kind: "invalid_input", message: "A playlist needs a name." };
      const id = `local-playlist:${this.#next++}`;
      this.playlists.set(id, { id, name: name.trim(), items: trackIds.map((trackId) => this.#item(trackId)), revision: 0 });
      return this.#changed(id);
    });
    mocked.renameLocalPlaylist.mockImplementation(async (id, name) => {
      this.#kept(id).name = name.trim();
      return this.#bumped(id);
    });
    mocked.deleteLocalPlaylist.mockImplementation(async (id) => {
      this.#kept(id);
      this.playlists.delete(id);
      this.#emit();
    });
    mocked.editLocalPlaylist.mockImplementation(async (id, edits, expected) => {
      const kept = this.#kept(id);
      if (expected !== undefined && expected !== kept.revision) throw CHANGED;
      // All or none: worked on a copy, kept only once every edit applied.
      const items = [...kept.items];
      const added: string[] = [];
      const at = (itemId: string) => {
        const index = items.findIndex((item) => item.itemId === itemId);
        if (index === -1) throw GONE_ITEM;
        return index;
      };
      for (const edit of edits) {
        if (edit.kind === "add") {
          const adding = edit.track_ids.map((trackId) => this.#item(trackId));
          const position = Math.min(edit.position ?? items.length, items.length);
          items.splice(position, 0, ...adding);
          added.push(...adding.map((item) => item.itemId));
        } else if (edit.kind === "remove") {
          items.splice(at(edit.item_id), 1);
        } else {
          const [moved] = items.splice(at(edit.item_id), 1);
          items.splice(edit.after === null ? 0 : at(edit.after) + 1, 0, moved);
        }
      }
      kept.items = items;
      return { playlist: this.#bumped(id), added_item_ids: added };
    });
  }

  /** Makes a playlist named `name` of local tracks titled `titles` (as `makeLocalTrack`). */
  add(name: string, titles: string[]): string {
    const id = `local-playlist:${this.#next++}`;
    this.playlists.set(id, { id, name, items: titles.map((title) => this.#item(makeLocalTrack(title).id)), revision: 0 });
    return id;
  }

  /** Appends a track titled `title` to playlist `id` as another window would, telling no one. */
  append(id: string, title: string): void {
    const kept = this.#kept(id);
    kept.items.push(this.#item(makeLocalTrack(title).id));
    kept.revision += 1;
  }

  /** The titles of playlist `id`'s items, in order. */
  order(id: string): string[] {
    return this.#kept(id).items.map((item) => item.track.title);
  }

  summary(id: string): LocalPlaylistSummary {
    const kept = this.#kept(id);
    return {
      id,
      name: kept.name,
      items: kept.items.length,
      missing: kept.items.filter((item) => this.missing.has(item.track.id)).length,
      duration_ms: kept.items.reduce((sum, item) => sum + item.track.duration_ms, 0),
      updated_at_ms: 0,
      revision: kept.revision,
    };
  }

  page(id: string): LocalPlaylistPage {
    const kept = this.#kept(id);
    return {
      id,
      name: kept.name,
      revision: kept.revision,
      items: kept.items.map((item, position) => ({
        item_id: item.itemId,
        position,
        track: item.track,
        missing: this.missing.has(item.track.id),
      })),
    };
  }

  /** Sends `local-playlists-changed` (an import, another window) to every listener. */
  emit(): void {
    this.#emit();
  }

  /** How many listen to the event now. */
  get listeners(): number {
    return this.#listeners.size;
  }

  #item(trackId: string): KeptItem {
    if (!trackId.startsWith("file://")) {
      throw { kind: "invalid_input", message: "A playlist on this computer holds files on this computer only." };
    }
    const name = decodeURIComponent(trackId.replace(/^file:\/\/\/music\//, "").replace(/\.flac$/, ""));
    return { itemId: String(this.#nextItem++), track: this.known.get(trackId) ?? makeLocalTrack(name) };
  }

  #kept(id: string): KeptPlaylist {
    const kept = this.playlists.get(id);
    if (!kept) throw { kind: "not_found", message: "This playlist is no longer on this computer." };
    return kept;
  }

  #bumped(id: string): LocalPlaylistSummary {
    this.#kept(id).revision += 1;
    return this.#changed(id);
  }

  #changed(id: string): LocalPlaylistSummary {
    this.#emit();
    return this.summary(id);
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
