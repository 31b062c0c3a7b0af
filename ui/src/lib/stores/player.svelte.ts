import * as ipc from "../../ipc";
import type { AppError, PlayerStatus, Track, Unlisten } from "../../ipc";

export const IDLE_STATUS: PlayerStatus = {
  state: "idle",
  track: null,
  position_ms: 0,
  duration_ms: null,
  output: { kind: "available", device: "" },
  error: null,
};

export class PlayerStore {
  status = $state<PlayerStatus>(IDLE_STATUS);
  /** A failed command (play, pause, …), as opposed to `status.error` from the engine. */
  commandError = $state<AppError | null>(null);
  #unlisten: Unlisten | null = null;
  #sawEvent = false;
  #running = false;

  get track(): Track | null {
    return this.status.track;
  }

  get isPlaying(): boolean {
    return this.status.state === "playing" || this.status.state === "loading";
  }

  /** Engine error first: it describes the current state, a command error is older news. */
  get error(): AppError | null {
    return this.status.error ?? this.commandError;
  }

  get durationMs(): number | null {
    return this.status.duration_ms ?? this.status.track?.duration_ms ?? null;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#sawEvent = false;
    try {
      const unlisten = await ipc.onPlayerStatus((status) => {
        this.#sawEvent = true;
        this.status = status;
      });
      if (!this.#running) return unlisten();
      this.#unlisten = unlisten;
      const initial = await ipc.playerStatus();
      // An event that arrived while we were asking is newer than this snapshot.
      if (this.#running && !this.#sawEvent) this.status = initial;
    } catch (error) {
      this.commandError = ipc.toAppError(error);
    }
  }

  stop(): void {
    this.#running = false;
    this.#unlisten?.();
    this.#unlisten = null;
    this.status = IDLE_STATUS;
    this.commandError = null;
  }

  async play(trackId: string): Promise<void> {
    await this.#run(() => ipc.playTrack(trackId));
  }

  async togglePlayPause(): Promise<void> {
    const { state, track } = this.status;
    if (state === "playing" || state === "loading") return this.#run(ipc.pause);
    if (state === "paused") return this.#run(ipc.resume);
    if (track) return this.play(track.id);
  }

  async #run(command: () => Promise<void>): Promise<void> {
    this.commandError = null;
    try {
      await command();
    } catch (error) {
      this.commandError = ipc.toAppError(error);
    }
  }
}

export const playerStore = new PlayerStore();
