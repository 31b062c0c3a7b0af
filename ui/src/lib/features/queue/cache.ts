/**
 * The queue as the window holds it: what the core said (`queue-changed` events and
 * `queue_page` answers) and the listener's own edits shown ahead of it. Pure functions over
 * an immutable value, so the store stays small and every rule here has a unit test.
 *
 * A queue may hold 10,000 entries, so the core never sends it whole: each change carries
 * its length, the place heard and a window of entries around it, and the rest is read page
 * by page as the panel scrolls. The cache is therefore sparse: one slot per entry, empty
 * until read. Each slot remembers the revision it was read at; a slot of an older revision
 * is shown (it is what the listener last saw) but read again.
 *
 * The listener's edits (move, remove, clear) are applied here at once, as the core will
 * apply them, so that Alt+Down pressed five times moves an entry five places rather than
 * five times from the same place, and nothing flickers while the core answers. Each such
 * edit expects one new revision of the given length; while some are unanswered, the core's
 * intermediate revisions are not shown (they are older than what the window shows). An
 * answer of another length means the core saw things otherwise: its word wins.
 */
import type { QueueEntry, QueuePage, QueueView } from "../../../ipc";

/** Entries read per `queue_page` call (the core answers at most 500). */
export const PAGE_SIZE = 100;

/** One entry as read, and at which revision. */
export interface Slot {
  readonly entry: QueueEntry;
  readonly revision: number;
}

export interface QueueCache {
  /** The core's revision of the entries (with edits pending: the last one it reported). */
  readonly revision: number;
  readonly length: number;
  /** The index of the entry heard now (or paused, or about to play). */
  readonly current: number | null;
  readonly nowPlaying: QueueEntry | null;
  readonly playsNext: QueueEntry | null;
  /** One per entry, in play order; `undefined` until read. */
  readonly slots: readonly (Slot | undefined)[];
  /** The lengths the listener's unanswered edits leave the queue at, oldest first. */
  readonly pending: readonly number[];
}

export const EMPTY_CACHE: QueueCache = {
  revision: 0,
  length: 0,
  current: null,
  nowPlaying: null,
  playsNext: null,
  slots: [],
  pending: [],
};

/** The entry at `index`, if read (possibly at an older revision). */
export function entryAt(cache: QueueCache, index: number): QueueEntry | undefined {
  return cache.slots[index]?.entry;
}

/** Whether the slot at `index` holds the entry of the current revision. */
export function isFresh(cache: QueueCache, index: number): boolean {
  return cache.slots[index]?.revision === cache.revision && cache.pending.length === 0;
}

/** Where the entry `entryId` is in the play order, if read. */
export function indexOfEntry(cache: QueueCache, entryId: number): number | null {
  const index = cache.slots.findIndex((slot) => slot?.entry.entry_id === entryId);
  return index < 0 ? null : index;
}

/** The core's word on the queue: an event, or the answer to `queue_view`. */
export function applyView(cache: QueueCache, view: QueueView): QueueCache {
  if (view.revision === cache.revision) {
    // Only the place moved (or a snapshot of what is already held).
    const slots = view.window && cache.pending.length === 0 ? overlay(cache.slots, view.window) : cache.slots;
    return placed({ ...cache, slots }, view);
  }
  const [expected, ...rest] = cache.pending;
  if (expected !== undefined && expected === view.length) {
    if (rest.length > 0) {
      // An edit of ours landed, and more are on their way: keep showing all of them.
      return placed({ ...cache, revision: view.revision, pending: rest }, view);
    }
    // The last of our edits landed: what is shown stays, and is read again where not sent.
    const slots = view.window ? overlay(cache.slots, view.window) : cache.slots;
    return placed({ ...cache, revision: view.revision, length: view.length, slots, pending: [] }, view);
  }
  // Another change (a new list played, shuffle), or the core saw our edit otherwise.
  return adopt(view);
}

/** The core's word taken whole: what was read before is forgotten. */
export function adopt(view: QueueView): QueueCache {
  const empty = new Array<Slot | undefined>(view.length).fill(undefined);
  const slots = view.window && view.window.revision === view.revision ? overlay(empty, view.window) : empty;
  return placed({ ...EMPTY_CACHE, revision: view.revision, length: view.length, slots }, view);
}

/** A page read with `queue_page`: kept only if it is of the revision held. */
export function applyPage(cache: QueueCache, page: QueuePage): QueueCache {
  if (page.revision !== cache.revision || cache.pending.length > 0 || page.entries.length === 0) return cache;
  return { ...cache, slots: overlay(cache.slots, page) };
}

/**
 * The pages (their numbers, of `PAGE_SIZE` entries) to read so that entries `from` to `to`
 * (exclusive) are of the current revision. None while edits of ours are unanswered: what
 * the core would send is older than what is shown.
 */
export function pagesToRead(cache: QueueCache, from: number, to: number): number[] {
  if (cache.pending.length > 0) return [];
  const start = Math.max(0, from);
  const end = Math.min(cache.length, to);
  const pages: number[] = [];
  for (let index = start; index < end; index++) {
    if (isFresh(cache, index)) continue;
    const page = Math.floor(index / PAGE_SIZE);
    if (pages.at(-1) !== page) pages.push(page);
    index = (page + 1) * PAGE_SIZE - 1;
  }
  return pages;
}

/**
 * Entries `entryIds` moved together, in their queue order, so the first lands at
 * `position` in the queue counted without them: as the core will do it. The same cache
 * when nothing would move; null when an entry is not read (the core's answer will tell).
 */
export function moveEntries(cache: QueueCache, entryIds: readonly number[], position: number): QueueCache | null {
  const ids = new Set(entryIds);
  const moving: (Slot | undefined)[] = [];
  const rest: (Slot | undefined)[] = [];
  for (const slot of cache.slots) {
    if (slot && ids.has(slot.entry.entry_id)) moving.push(slot);
    else rest.push(slot);
  }
  if (moving.length !== ids.size) return null;
  if (moving.length === 0) return cache;
  const at = Math.min(Math.max(0, position), rest.length);
  const unchanged = moving.every((slot, offset) => cache.slots[at + offset] === slot);
  if (unchanged) return cache;
  rest.splice(at, 0, ...moving);
  return edited(cache, rest);
}

/**
 * Entries `entryIds` taken out, except the one playing (the core keeps it): as the core
 * will do it. The same cache when nothing would go; null when an entry is not read.
 */
export function removeEntries(cache: QueueCache, entryIds: readonly number[]): QueueCache | null {
  const playing = cache.nowPlaying?.entry_id;
  const gone = new Set(entryIds.filter((id) => id !== playing));
  if (gone.size === 0) return cache;
  const kept = cache.slots.filter((slot) => !(slot && gone.has(slot.entry.entry_id)));
  if (cache.slots.length - kept.length !== gone.size) return null;
  return edited(cache, kept);
}

/** "Next up" emptied: what played and what plays now stay. The same cache when it is empty. */
export function clearUpcoming(cache: QueueCache): QueueCache | null {
  if (cache.current === null) return cache.length === 0 ? cache : null;
  const kept = cache.slots.slice(0, cache.current + 1);
  return kept.length === cache.slots.length ? cache : edited(cache, kept);
}

/** The cache with `slots` as the listener's edit left them, awaiting the core's word. */
function edited(cache: QueueCache, slots: (Slot | undefined)[]): QueueCache {
  const playing = cache.nowPlaying?.entry_id;
  const current =
    playing === undefined ? cache.current : slots.findIndex((slot) => slot?.entry.entry_id === playing);
  return {
    ...cache,
    length: slots.length,
    slots,
    current: current === -1 ? cache.current : current,
    pending: [...cache.pending, slots.length],
  };
}

/** The view's place in the queue, found by its entry among the slots shown. */
function placed(cache: QueueCache, view: QueueView): QueueCache {
  let current = view.current;
  const playing = view.now_playing?.entry_id;
  if (playing !== undefined && current !== null && cache.slots[current]?.entry.entry_id !== playing) {
    // The view counts in the core's order, which may not be the one shown yet.
    const found = cache.slots.findIndex((slot) => slot?.entry.entry_id === playing);
    if (found >= 0) current = found;
  }
  if (current !== null && current >= cache.length) current = null;
  return { ...cache, current, nowPlaying: view.now_playing, playsNext: view.plays_next };
}

/**
 * `slots` with `page`'s entries in place. An entry read here leaves any other slot that held
 * it (read before an edit moved it), so no entry shows twice.
 */
function overlay(slots: readonly (Slot | undefined)[], page: QueuePage): (Slot | undefined)[] {
  const end = page.offset + page.entries.length;
  const ids = new Set(page.entries.map((entry) => entry.entry_id));
  const next = slots.map((slot, index) =>
    slot && (index < page.offset || index >= end) && ids.has(slot.entry.entry_id) ? undefined : slot,
  );
  page.entries.forEach((entry, offset) => {
    const index = page.offset + offset;
    if (index < next.length) next[index] = { entry, revision: page.revision };
  });
  return next;
}
