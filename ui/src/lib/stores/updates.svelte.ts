import * as ipc from "../../ipc";
import type { AppError, Unlisten, UpdateStatus, UpdateStep } from "../../ipc";
import { errorWords, m, speaksCoreLanguage } from "$lib/i18n";

/**
 * Why an update step failed, in the window's language. The shell words its errors for the
 * update in English; another language has a sentence here for the kinds an update meets
 * (the general sentence of a kind, as "the service could not prove who it is", would say
 * the wrong thing of a package that did not verify).
 */
export function updateErrorWords(step: UpdateStep, error: AppError): string {
  if (speaksCoreLanguage() && error.message.trim() !== "") return error.message;
  switch (error.kind) {
    case "network":
      return step === "check" ? m.update_error_unreachable() : m.update_error_download_network();
    case "server":
      return m.update_error_server();
    case "untrusted":
      return m.update_error_not_verified();
    case "forbidden":
      return m.update_error_install_refused();
    case "not_found":
      return step === "check" ? m.update_error_no_package() : errorWords(error);
    case "storage":
      return step === "install" ? m.update_error_install_failed() : errorWords(error);
    default:
      return errorWords(error);
  }
}

/**
 * Updates of Strato itself, as the shell reports them: the sidebar offers one, Settings
 * (About) checks on demand. The shell checks on its own at start and daily; this store
 * follows its events.
 */
export class UpdatesStore {
  status = $state.raw<UpdateStatus | null>(null);
  /** A check the listener asked for is under way (the button waits). */
  checking = $state(false);
  /** The listener put the offer aside for this run. */
  dismissed = $state(false);
  #unlisten: Unlisten | null = null;
  #starting: Promise<void> | null = null;

  /** Follows the shell's update events; idempotent. */
  start(): Promise<void> {
    this.#starting ??= (async () => {
      this.#unlisten = await ipc.onUpdateStatus((status) => this.#show(status));
      const status = await ipc.updateStatus();
      // An event may have come first, and is newer.
      this.status ??= status;
    })().catch(() => {
      // Outside the app (a unit test without a shell) there is nothing to follow.
      this.#starting = null;
    });
    return this.#starting;
  }

  stop(): void {
    this.#unlisten?.();
    this.#unlisten = null;
    this.#starting = null;
  }

  /** Asks the update server now. The answer, or why there is none, is in `status`. */
  async check(): Promise<void> {
    this.checking = true;
    try {
      this.#show(await ipc.checkForUpdates());
    } catch (error) {
      this.#failed("check", ipc.toAppError(error));
    } finally {
      this.checking = false;
    }
  }

  async download(): Promise<void> {
    try {
      this.#show(await ipc.downloadUpdate());
    } catch (error) {
      this.#failed("download", ipc.toAppError(error));
    }
  }

  async install(): Promise<void> {
    try {
      await ipc.installUpdate();
    } catch (error) {
      this.#failed("install", ipc.toAppError(error));
    }
  }

  dismiss(): void {
    this.dismissed = true;
  }

  #show(status: UpdateStatus): void {
    // A newer offer than the one put aside is offered again.
    if (status.offer?.version !== this.status?.offer?.version) this.dismissed = false;
    this.status = status;
  }

  /** The shell has sent the status with the error too; a refusal before any step has not. */
  #failed(step: UpdateStep, error: AppError): void {
    const status = this.status;
    if (status?.error?.message === error.message) return;
    this.status = {
      ...(status ?? { phase: "idle", offer: null, received_bytes: 0, total_bytes: null, last_checked: null }),
      error,
      failed_step: step,
    };
  }
}

export const updatesStore = new UpdatesStore();
