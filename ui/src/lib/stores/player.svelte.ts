import * as ipc from "../../ipc";
import type { AppError, LibraryPlaylist, PlayerStatus, RepeatMode, Track, Unlisten } from "../../ipc";
import { clearUpcoming, moveEntries, removeEntries } from "$lib/features/queue/cache";
import { QueueStore } from "$lib/features/queue/queue.svelte";
import { m, windowError } from "$lib/i18n";

export const IDLE_STATUS: PlayerStatus = {
  state: "idle",
  track: null,
  position_ms: 0,
  duration_ms: null,
  output: { kind: "available", device: "" },
  error: null,
  buffered_ms: 0,
  shuffle: false,
  repeat: "off",
  volume: 1,
  signal: null,
};

/**
 * How long a value shown ahead of the engine (a seek target, a volume) is kept after its
 * command went through without the engine confirming it; then the engine's word wins.
 */
export const CONFIRM_GRACE_MS = 1_500;
/** A reported position this close to a seek target confirms the seek. */
export const SEEK_CONFIRM_TOLERANCE_MS = 1_500;
/** Volumes this close are the same (the engine holds an f32). */
const VOLUME_EPSILON = 0.005;
/** Volume restored by unmute when the volume was already 0 before muting. */
const DEFAULT_UNMUTE_VOLUME = 0.5;

const REPEAT_CYCLE: Record<RepeatMode, RepeatMode> = { off: "all", all: "one", one: "off" };

/** The repeat mode a click on the repeat button moves to: off → all → one → off. */
export function nextRepeatMode(mode: RepeatMode): RepeatMode {
  return REPEAT_CYCLE[mode];
}

export function clampVolume(volume: number): number {
  if (!Number.isFinite(volume)) return 0;
  return Math.min(1, Math.max(0, volume));
}

/**
 * A value the UI shows before the engine confirms it (optimistic UI). It stays until a
 * status confirms it, or until `CONFIRM_GRACE_MS` after its command settled: the engine's
 * status remains the truth, this only bridges the round trip.
 */
class Optimistic<T> {
  #pending = $state<{ value: T } | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #confirms: (status: PlayerStatus, value: T) => boolean;

  constructor(confirms: (status: PlayerStatus, value: T) => boolean) {
    this.#confirms = confirms;
  }

  get pending(): { value: T } | null {
    return this.#pending;
  }

  set(value: T): void {
    clearTimeout(this.#timer);
    this.#pending = { value };
  }

  /** The command landed; give the engine a moment to report it, then trust the engine. */
  settle(): void {
    clearTimeout(this.#timer);
    if (this.#pending) this.#timer = setTimeout(() => this.clear(), CONFIRM_GRACE_MS);
  }

  observe(status: PlayerStatus): void {
    if (this.#pending && this.#confirms(status, this.#pending.value)) this.clear();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = null;
  }
}

/**
 * Sends only the latest of a burst of values (seek targets from arrow keys, volumes while
 * dragging): one command in flight at most; values pushed meanwhile replace each other
 * and the last one goes when the flight lands. `onIdle` runs once the burst is sent.
 */
class LatestSender<T> {
  #flight: Promise<void> | null = null;
  #queued: { value: T } | null = null;
  readonly #send: (value: T) => Promise<void>;
  readonly #onIdle: () => void;

  constructor(send: (value: T) => Promise<void>, onIdle: () => void) {
    this.#send = send;
    this.#onIdle = onIdle;
  }

  push(value: T): Promise<void> {
    if (this.#flight) {
      this.#queued = { value };
      return this.#flight;
    }
    this.#flight = this.#drain(value);
    return this.#flight;
  }

  async #drain(first: T): Promise<void> {
    let item: { value: T } | null = { value: first };
    while (item) {
      this.#queued = null;
      await this.#send(item.value);
      item = this.#queued;
    }
    this.#flight = null;
    this.#onIdle();
  }
}

type SeekTarget = { trackId: string; positionMs: number };

export class PlayerStore {
  status = $state<PlayerStatus>(IDLE_STATUS);
  /** The queue: its own event, apart from the status (whose ticks never carry it). */
  readonly queue = new QueueStore();
  /** A failed command (play, pause, …), as opposed to `status.error` from the engine. */
  commandError = $state<AppError | null>(null);
  #unlisten: Unlisten | null = null;
  #sawEvent = false;
  #running = false;
  /** What unmute goes back to, when muted in this run (shown before the engine says). */
  #volumeBeforeMute: number | null = null;

  readonly #seek = new Optimistic<SeekTarget>(
    (status, target) =>
      status.track?.id !== target.trackId ||
      Math.abs(status.position_ms - target.positionMs) <= SEEK_CONFIRM_TOLERANCE_MS,
  );
  readonly #volume = new Optimistic<number>((status, volume) => Math.abs(status.volume - volume) < VOLUME_EPSILON);
  readonly #shuffle = new Optimistic<boolean>((status, shuffle) => status.shuffle === shuffle);
  readonly #repeat = new Optimistic<RepeatMode>((status, repeat) => status.repeat === repeat);
  readonly #optimistic = [this.#seek, this.#volume, this.#shuffle, this.#repeat] as const;

  readonly #seekSender = new LatestSender<SeekTarget>(
    (target) => this.#run(() => ipc.seek(target.positionMs), this.#seek),
    () => this.#seek.settle(),
  );
  readonly #volumeSender = new LatestSender<number>(
    (volume) => this.#run(() => ipc.setVolume(volume), this.#volume),
    () => this.#volume.settle(),
  );

  get track(): Track | null {
    return this.status.track;
  }

  /** Playing, or meaning to (loading, buffering): the button offers Pause. */
  get isPlaying(): boolean {
    const { state } = this.status;
    return state === "playing" || state === "loading" || state === "buffering";
  }

  get isBuffering(): boolean {
    return this.status.state === "buffering";
  }

  /** Engine error first: it describes the current state, a command error is older news. */
  get error(): AppError | null {
    return this.status.error ?? this.commandError;
  }

  get durationMs(): number | null {
    return this.status.duration_ms ?? this.status.track?.duration_ms ?? null;
  }

  /** Where the listener is, or where they just asked to go while the engine gets there. */
  get positionMs(): number {
    const pending = this.#seek.pending?.value;
    if (pending && pending.trackId === this.status.track?.id) return pending.positionMs;
    return this.status.position_ms;
  }

  /** How far the track's audio has been fetched (never behind what has been heard). */
  get bufferedMs(): number {
    return Math.max(this.status.buffered_ms, this.status.position_ms);
  }

  get volume(): number {
    return this.#volume.pending?.value ?? this.status.volume;
  }

  get isMuted(): boolean {
    return this.volume <= 0;
  }

  get shuffle(): boolean {
    return this.#shuffle.pending?.value ?? this.status.shuffle;
  }

  get repeat(): RepeatMode {
    return this.#repeat.pending?.value ?? this.status.repeat;
  }

  /** Whether next/previous have a queue to move in. */
  get canSkip(): boolean {
    return this.queue.current !== null;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#sawEvent = false;
    try {
      // The status and the queue are two events, followed side by side.
      await Promise.all([this.#followStatus(), this.queue.start()]);
    } catch (error) {
      this.commandError = ipc.toAppError(error);
    }
  }

  async #followStatus(): Promise<void> {
    const unlisten = await ipc.onPlayerStatus((status) => {
      this.#sawEvent = true;
      this.#apply(status);
    });
    if (!this.#running) return unlisten();
    this.#unlisten = unlisten;
    if (typeof document !== "undefined") {
      document.addEventListener("visibilitychange", this.#tellVisibility);
      // Said at once, seen or not: the core sends the ticks while any window (this one, the
      // mini-player) is seen.
      this.#tellVisibility();
    }
    const initial = await ipc.playerStatus();
    // An event that arrived while we were asking is newer than this snapshot.
    if (this.#running && !this.#sawEvent) this.#apply(initial);
  }

  /**
   * Tells the core whether the page is seen (minimised or on another workspace, it is not):
   * a hidden page is not woken by the position's ticks. Shown again, the core sends the
   * status at once.
   */
  readonly #tellVisibility = () => {
    ipc.setWindowShown(!document.hidden).catch(() => {
      // Only CPU is at stake: the ticks go on as before.
    });
  };

  stop(): void {
    this.#running = false;
    this.#unlisten?.();
    this.#unlisten = null;
    if (typeof document !== "undefined") document.removeEventListener("visibilitychange", this.#tellVisibility);
    this.queue.stop();
    for (const optimistic of this.#optimistic) optimistic.clear();
    this.status = IDLE_STATUS;
    this.commandError = null;
  }

  async play(trackId: string): Promise<void> {
    await this.#run(() => ipc.playTrack(trackId));
  }

  /** Replaces the queue with `trackIds` and plays the one at `start`. */
  async playQueue(trackIds: readonly string[], start: number): Promise<void> {
    if (start < 0 || start >= trackIds.length) return;
    await this.#run(() => ipc.playQueue(trackIds, start));
  }

  /** Plays the queue's entry `entryId` (a `QueueEntry.entry_id`). */
  async jump(entryId: number): Promise<void> {
    await this.#run(() => ipc.jump(entryId));
  }

  /** Puts tracks right after the one playing (into an empty queue: they play). */
  async playNext(trackIds: readonly string[]): Promise<void> {
    if (trackIds.length === 0) return;
    await this.#run(() => ipc.playNext(trackIds));
  }

  /** Puts tracks after the one playing and those queued before them. */
  async addToQueue(trackIds: readonly string[]): Promise<void> {
    if (trackIds.length === 0) return;
    await this.#run(() => ipc.addToQueue(trackIds));
  }

  /**
   * Moves entries together, in their queue order, so the first lands at `position` of the
   * queue counted without them. Shown at once.
   */
  async moveInQueue(entryIds: readonly number[], position: number): Promise<void> {
    if (entryIds.length === 0) return;
    await this.#edit(
      (queue) => moveEntries(queue, entryIds, position),
      () => ipc.moveInQueue(entryIds, position),
    );
  }

  /** Takes entries out of the queue (the one playing stays). Shown at once. */
  async removeFromQueue(entryIds: readonly number[]): Promise<void> {
    if (entryIds.length === 0) return;
    await this.#edit(
      (queue) => removeEntries(queue, entryIds),
      () => ipc.removeFromQueue(entryIds),
    );
  }

  /** Empties "next up"; what played and what plays now stay. Shown at once. */
  async clearQueue(): Promise<void> {
    await this.#edit(clearUpcoming, ipc.clearQueue);
  }

  /**
   * A new playlist named `name` with the queue's tracks in play order. Throws an
   * `AppError` (the form asking for the name shows it).
   */
  async saveQueueAsPlaylist(name: string): Promise<LibraryPlaylist> {
    const trimmed = name.trim();
    if (!trimmed) throw windowError("invalid_input", m.queue_name_needed());
    try {
      return await ipc.saveQueueAsPlaylist(trimmed);
    } catch (error) {
      throw ipc.toAppError(error);
    }
  }

  async next(): Promise<void> {
    await this.#run(ipc.next);
  }

  /** The engine decides between the previous track and the start of this one. */
  async previous(): Promise<void> {
    await this.#run(ipc.previous);
  }

  /** Opens the mini-player (a small window always on top), or closes it. */
  async toggleMiniPlayer(): Promise<void> {
    await this.#run(ipc.toggleMiniPlayer);
  }

  /** From the mini-player: the main window back in front. */
  async showMainWindow(): Promise<void> {
    await this.#run(ipc.showMainWindow);
  }

  async togglePlayPause(): Promise<void> {
    const { state, track } = this.status;
    if (state === "playing" || state === "loading" || state === "buffering") return this.#run(ipc.pause);
    if (state === "paused") return this.#run(ipc.resume);
    if (!track) return;
    // Ended, stopped or failed: play it again, in its queue when it has one.
    const playing = this.queue.nowPlaying;
    if (playing && playing.track_id === track.id) return this.jump(playing.entry_id);
    return this.play(track.id);
  }

  /** Moves to `positionMs` in the current track; shown at once, sent coalesced. */
  seek(positionMs: number): Promise<void> {
    const track = this.status.track;
    if (!track || !Number.isFinite(positionMs)) return Promise.resolve();
    const max = this.durationMs ?? Number.POSITIVE_INFINITY;
    const target = { trackId: track.id, positionMs: Math.round(Math.min(max, Math.max(0, positionMs))) };
    this.#seek.set(target);
    return this.#seekSender.push(target);
  }

  seekBy(deltaMs: number): Promise<void> {
    return this.seek(this.positionMs + deltaMs);
  }

  /** Sets the volume (0..1); shown at once, sent coalesced while a slider is dragged. */
  setVolume(volume: number): Promise<void> {
    const value = clampVolume(volume);
    this.#volume.set(value);
    return this.#volumeSender.push(value);
  }

  /**
   * Mutes, or brings the volume back. The core keeps both across restarts, so after one
   * the volume to come back to is the core's: it is shown when the engine reports it.
   */
  async toggleMute(): Promise<void> {
    const muted = !this.isMuted;
    if (muted) {
      this.#volumeBeforeMute = this.volume;
      this.#volume.set(0);
    } else if (this.#volumeBeforeMute !== null) {
      this.#volume.set(this.#volumeBeforeMute > 0 ? this.#volumeBeforeMute : DEFAULT_UNMUTE_VOLUME);
    }
    await this.#run(() => ipc.setMuted(muted), this.#volume);
    this.#volume.settle();
  }

  async toggleShuffle(): Promise<void> {
    const shuffle = !this.shuffle;
    this.#shuffle.set(shuffle);
    await this.#run(() => ipc.setShuffle(shuffle), this.#shuffle);
    this.#shuffle.settle();
  }

  /** off → all → one → off. */
  async cycleRepeat(): Promise<void> {
    const repeat = nextRepeatMode(this.repeat);
    this.#repeat.set(repeat);
    await this.#run(() => ipc.setRepeat(repeat), this.#repeat);
    this.#repeat.settle();
  }

  #apply(status: PlayerStatus): void {
    this.status = status;
    for (const optimistic of this.#optimistic) optimistic.observe(status);
  }

  /** A queue edit: shown at once, then sent; if it fails, the core's queue is shown again. */
  async #edit(show: Parameters<QueueStore["showEdit"]>[0], command: () => Promise<void>): Promise<void> {
    const shown = this.queue.showEdit(show);
    this.commandError = null;
    try {
      await command();
    } catch (error) {
      this.commandError = ipc.toAppError(error);
      if (shown) await this.queue.resync();
    }
  }

  /** Runs a command; on failure reports it and drops the value shown ahead of the engine. */
  async #run<T>(command: () => Promise<void>, optimistic?: Optimistic<T>): Promise<void> {
    this.commandError = null;
    try {
      await command();
    } catch (error) {
      optimistic?.clear();
      this.commandError = ipc.toAppError(error);
    }
  }
}

export const playerStore = new PlayerStore();
