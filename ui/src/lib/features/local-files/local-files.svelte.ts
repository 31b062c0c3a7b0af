import { untrack } from "svelte";
import { errorWords, format, m, speaksCoreLanguage } from "$lib/i18n";
import * as ipc from "../../../ipc";
import type {
  Album,
  AppError,
  LocalAlbumPage,
  LocalArtistPage,
  LocalFailedFile,
  LocalFileProblem,
  LocalFilesView,
  LocalFolder,
  LocalScanProgress,
  SearchResults,
  Track,
} from "../../../ipc";
import { PageLoader } from "../page-loader.svelte";


/**
 * The "Local files" source as the window holds it: the core's view of the music folders
 * (sent as `local-files-changed` while anything shows it), the albums and tracks,
 * read again only when the view's `revision` moves, a filter the local index answers, and
 * what the listener does to the folders (add one chosen in the OS's dialog, remove, rescan).
 *
 * Local files belong to this computer, not to an account: nothing here is forgotten at
 * sign-out. Screens `use()` the store while shown; the event is listened to while one does,
 * and a list is replaced only once its new copy has arrived, so nothing blinks as a scan
 * goes on.
 */

/** How long typing in the filter must pause before the index is asked. */
export const FILTER_DEBOUNCE_MS = 150;
/** The most tracks the filter shows. */
export const FILTER_LIMIT = 500;

/** "Reading 1,204 of 3,410 files…", or, before any file needs reading, how many were found. */
export function scanWords(progress: LocalScanProgress): string {
  const toRead = Math.max(0, progress.found - progress.unchanged);
  if (toRead > 0 && progress.read < toRead) {
    return m.local_scan_reading({ read: format.number(progress.read), total: format.number(toRead) });
  }
  return m.local_scan_looking({ count: progress.found });
}

/** What a folder holds, or why it cannot be read, in words. */
export function folderWords(folder: LocalFolder): string {
  switch (folder.state) {
    case "missing":
      return m.local_folder_missing({ count: folder.tracks });
    case "unreadable":
      return m.local_folder_unreadable();
    default:
      return folder.failed > 0
        ? m.local_folder_counts_failed({ count: folder.tracks, failed: folder.failed })
        : m.local_folder_counts({ count: folder.tracks });
  }
}

// A record over the generated union: a reason added on the Rust side fails the type check
// here until it has its words.
const PROBLEM_WORDS: Readonly<Record<LocalFileProblem, () => string>> = {
  not_audio: () => m.local_problem_not_audio(),
  damaged: () => m.local_problem_damaged(),
  cut_short: () => m.local_problem_cut_short(),
  no_sound: () => m.local_problem_no_sound(),
  gone: () => m.local_problem_gone(),
  not_allowed: () => m.local_problem_not_allowed(),
  unreadable: () => m.local_problem_unreadable(),
};

/**
 * Why a file cannot be played, in the window's language: in English the core's own sentence
 * (which may carry the system's words for a disk's error), in another its reason's words.
 */
export function failedFileWords(file: LocalFailedFile): string {
  if (speaksCoreLanguage() && file.reason.trim() !== "") return file.reason;
  // A reason this window does not know yet (a newer core) keeps the core's words.
  return PROBLEM_WORDS[file.problem]?.() ?? file.reason;
}

/**
 * Why local files cannot be used now, in the window's language: the core's sentence says it
 * whole in English; in another language the kind's words alone would not say it is about
 * local files, so they follow a sentence that does.
 */
export function unavailableWords(error: AppError): string {
  const words = errorWords(error);
  return speaksCoreLanguage() ? words : m.local_unavailable({ reason: words });
}

type Action = "add" | "remove" | "rescan";

export class LocalFilesStore {
  /** The folders and their index as the core last said; null until it has. */
  view = $state.raw<LocalFilesView | null>(null);
  albums = $state.raw<Album[]>([]);
  tracks = $state.raw<Track[]>([]);
  /** The lists have been read once (before that, the screen says it is reading them). */
  listed = $state(false);
  /** Why the view or the lists could not be read. */
  error = $state<AppError | null>(null);
  /** A folder action that failed ("Couldn't add the folder: …"). */
  actionError = $state<(AppError & { action: string }) | null>(null);
  busy = $state<Action | null>(null);
  /** The filter typed on the Local files screen, and the index's answer to it. */
  filter = $state("");
  matches = $state.raw<SearchResults | null>(null);

  #users = 0;
  #listUsers = 0;
  #unlisten: ipc.Unlisten | null = null;
  /** Bumped when the listening starts or ends, so a subscription answered late is dropped. */
  #listenGeneration = 0;
  /** Bumped by each event: an older answer to `localFiles()` is not taken over it. */
  #viewsSeen = 0;
  #listedRevision: number | null = null;
  #reading: Promise<void> | null = null;
  #readAgain = false;
  #filterTimer: ReturnType<typeof setTimeout> | null = null;
  #filterGeneration = 0;

  /**
   * Follows the view while the caller shows it (and reads the lists when `lists`): returns
   * the function that stops, to call once when it is no longer shown.
   */
  use({ lists = false }: { lists?: boolean } = {}): () => void {
    this.#users += 1;
    if (lists) this.#listUsers += 1;
    if (this.#users === 1) void this.#listen();
    else if (lists && this.view && this.view.revision !== this.#listedRevision) void this.#readLists();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#users -= 1;
      if (lists) this.#listUsers -= 1;
      if (this.#users === 0) this.#stopListening();
      // The filter is the screen's: it starts empty when the screen comes back.
      if (lists && this.#listUsers === 0) this.setFilter("");
    };
  }

  /** Whether the core's event is listened to now (for tests: nothing left behind). */
  get listening(): boolean {
    return this.#unlisten !== null;
  }

  /** Reads the view and the lists again ("Try again" after they could not be read). */
  async reload(): Promise<void> {
    this.error = null;
    try {
      await this.#readView();
    } catch (error) {
      this.error = ipc.toAppError(error);
      return;
    }
    if (this.#listUsers > 0) await this.#readLists();
  }

  /** The OS's folder dialog, then the folder chosen added (its scan starts at once). */
  async addFolder(): Promise<void> {
    await this.#act("add", m.local_add_failed(), async () => {
      const chosen = await ipc.chooseFolder(m.local_choose_title());
      return chosen ? ipc.addLocalFolder(chosen) : null;
    });
  }

  /** Stops using the folder at `path` (its files stay on disk). */
  async removeFolder(path: string): Promise<void> {
    await this.#act("remove", m.local_remove_failed(), () => ipc.removeLocalFolder(path));
  }

  async rescan(): Promise<void> {
    await this.#act("rescan", m.local_rescan_failed(), () => ipc.rescanLocalFiles());
  }

  /** Takes the filter typed; the index is asked once typing pauses. */
  setFilter(text: string): void {
    this.filter = text;
    this.#cancelFilter();
    if (!text.trim()) {
      this.matches = null;
      return;
    }
    this.#filterTimer = setTimeout(() => {
      this.#filterTimer = null;
      void this.#search();
    }, FILTER_DEBOUNCE_MS);
  }

  async #act(action: Action, failed: string, work: () => Promise<LocalFilesView | null>): Promise<void> {
    this.busy = action;
    this.actionError = null;
    try {
      const seen = this.#viewsSeen;
      const view = await work();
      // The shell delivers events and answers in no set order: a scan as quick as a folder of
      // a few files can end, and say so, before the answer to adding it arrives. An answer
      // overtaken by events is not taken; the view is asked for again, after them.
      if (view && seen === this.#viewsSeen) this.#take(view);
      else if (view) await this.#readView();
    } catch (error) {
      this.actionError = { ...ipc.toAppError(error), action: failed };
    } finally {
      this.busy = null;
    }
  }

  async #listen(): Promise<void> {
    const generation = ++this.#listenGeneration;
    try {
      const unlisten = await ipc.onLocalFilesChanged((view) => {
        this.#viewsSeen += 1;
        this.#take(view);
      });
      if (generation !== this.#listenGeneration) {
        unlisten();
        return;
      }
      this.#unlisten = unlisten;
    } catch {
      // No shell to listen to (a window without Tauri): the view is read once below.
    }
    try {
      if (generation === this.#listenGeneration) await this.#readView();
    } catch (error) {
      if (generation === this.#listenGeneration) this.error = ipc.toAppError(error);
    }
  }

  /** Reads the view, taken unless an event (as new, or newer) arrived meanwhile. */
  async #readView(): Promise<void> {
    const seen = this.#viewsSeen;
    const view = await ipc.localFiles();
    if (seen === this.#viewsSeen) this.#take(view);
  }

  #stopListening(): void {
    this.#listenGeneration += 1;
    this.#unlisten?.();
    this.#unlisten = null;
  }

  #take(view: LocalFilesView): void {
    this.view = view;
    if (this.#listUsers > 0 && view.revision !== this.#listedRevision) void this.#readLists();
  }

  /** Reads the lists; asked again while reading, reads once more after (never two at once). */
  #readLists(): Promise<void> {
    if (this.#reading) {
      this.#readAgain = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      do {
        this.#readAgain = false;
        const revision = this.view?.revision ?? null;
        try {
          const [albums, tracks] = await Promise.all([ipc.localAlbums(), ipc.localTracks()]);
          this.albums = albums;
          this.tracks = tracks;
          this.#listedRevision = revision;
          this.listed = true;
          this.error = null;
        } catch (error) {
          this.error = ipc.toAppError(error);
        }
        if (this.filter.trim()) await this.#search();
      } while (this.#readAgain && this.#listUsers > 0);
    })().finally(() => {
      this.#reading = null;
    });
    return this.#reading;
  }

  async #search(): Promise<void> {
    const generation = ++this.#filterGeneration;
    const query = this.filter.trim();
    if (!query) return;
    try {
      const found = await ipc.localSearch(query, FILTER_LIMIT);
      if (generation === this.#filterGeneration) this.matches = found;
    } catch (error) {
      if (generation === this.#filterGeneration) this.error = ipc.toAppError(error);
    }
  }

  #cancelFilter(): void {
    if (this.#filterTimer !== null) clearTimeout(this.#filterTimer);
    this.#filterTimer = null;
    this.#filterGeneration += 1;
  }
}

export const localFilesStore = new LocalFilesStore();

/** A local album's page shown (and the last few seen, for "back"). */
export const localAlbumPages = new PageLoader<LocalAlbumPage>((id) => ipc.localAlbum(id));
/** A local artist's page shown. */
export const localArtistPages = new PageLoader<LocalArtistPage>((id) => ipc.localArtist(id));

/**
 * While the calling component is shown (call it as it starts): follows the view, and calls
 * `reload` each time its `revision` moves past the first one seen, so a page of local music
 * follows the files as they change on disk.
 */
export function followLocalFiles(reload: () => void): void {
  // Untracked: the store's state read inside must not make the effect start over.
  $effect(() => untrack(() => localFilesStore.use()));
  let seen: number | null = null;
  $effect(() => {
    const revision = localFilesStore.view?.revision ?? null;
    if (revision === null || revision === seen) return;
    const first = seen === null;
    seen = revision;
    if (!first) untrack(reload);
  });
}
