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
  "addToLocalPlaylist",
  "removeFromLocalPlaylist",
  "moveInLocalPlaylist",
  "onLocalPlaylistsChanged",
] as const;

interface KeptPlaylist {
  id: string;
  name: string;
  items: { track: Track; missing: boolean }[];
}

/**
 * The playlists on this computer as the core keeps them, behind the mocked ipc: what the
 * commands answer and refuse as `strato_local`'s playlists do (positions from 0, a move's
 * `to` its place once moved, only `file://` ids, a gone playlist `not_found`), and the event
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
      this.playlists.set(id, { id, name: name.trim(), items: trackIds.map((trackId) => this.#item(trackId)) });
      return this.#changed(id);
    });
    mocked.renameLocalPlaylist.mockImplementation(async (id, name) => {
      this.#kept(id).name = name.trim();
      return this.#changed(id);
    });
    mocked.deleteLocalPlaylist.mockImplementation(async (id) => {
      this.#kept(id);
      this.playlists.delete(id);
      this.#emit();
    });
    mocked.addToLocalPlaylist.mockImplementation(async (id, trackIds) => {
      const kept = this.#kept(id);
      const items = trackIds.map((trackId) => this.#item(trackId));
      kept.items.push(...items);
      return this.#changed(id);
    });
    mocked.removeFromLocalPlaylist.mockImplementation(async (id, positions) => {
      const kept = this.#kept(id);
      if (positions.some((position) => position >= kept.items.length)) {
        throw { kind: "invalid_input", message: "The playlist changed meanwhile." };
      }
      kept.items = kept.items.filter((_, index) => !positions.includes(index));
      return this.#changed(id);
    });
    mocked.moveInLocalPlaylist.mockImplementation(async (id, from, to) => {
      const kept = this.#kept(id);
      if (from >= kept.items.length || to >= kept.items.length) {
        throw { kind: "invalid_input", message: "The playlist changed meanwhile." };
      }
      const [moved] = kept.items.splice(from, 1);
      kept.items.splice(to, 0, moved);
      return this.#changed(id);
    });
  }

  /** Makes a playlist named `name` of local tracks titled `titles` (as `makeLocalTrack`). */
  add(name: string, titles: string[]): string {
    const id = `local-playlist:${this.#next++}`;
    this.playlists.set(id, { id, name, items: titles.map((title) => this.#item(makeLocalTrack(title).id)) });
    return id;
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
    };
  }

  page(id: string): LocalPlaylistPage {
    const kept = this.#kept(id);
    return {
      id,
      name: kept.name,
      items: kept.items.map((item, position) => ({ position, track: item.track, missing: this.missing.has(item.track.id) })),
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

  #item(trackId: string): { track: Track; missing: boolean } {
    if (!trackId.startsWith("file://")) {
      throw { kind: "invalid_input", message: "A playlist on this computer holds files on this computer only." };
    }
    const name = decodeURIComponent(trackId.replace(/^file:\/\/\/music\//, "").replace(/\.flac$/, ""));
    return { track: this.known.get(trackId) ?? makeLocalTrack(name), missing: false };
  }

  #kept(id: string): KeptPlaylist {
    const kept = this.playlists.get(id);
    if (!kept) throw { kind: "not_found", message: "This playlist is no longer on this computer." };
    return kept;
  }

  #changed(id: string): LocalPlaylistSummary {
    this.#emit();
    return this.summary(id);
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
