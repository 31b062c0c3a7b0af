import * as ipc from "../../ipc";
import type { AppError } from "../../ipc";
import { m } from "$lib/i18n";
import { resetBrowsing } from "$lib/features";
import { starsStore } from "$lib/features/starred/stars.svelte";
import { catalogStore } from "./catalog.svelte";
import { devicesStore } from "./devices.svelte";
import { libraryStore } from "./library.svelte";
import { searchStore } from "./search.svelte";
import { sessionStore } from "./session.svelte";

/** Signs out and forgets the signed-in user's catalog. */
export async function signOut(): Promise<void> {
  await sessionStore.signOut();
  catalogStore.reset();
  devicesStore.reset();
  resetBrowsing();
}

/** Switches to a kept account; its catalog and library replace the previous account's. */
export async function switchAccount(account: Pick<ipc.RememberedAccount, "service_url" | "username">): Promise<boolean> {
  const switched = await sessionStore.switchAccount(account);
  if (switched) {
    catalogStore.reset();
    devicesStore.reset();
    searchStore.clear();
    resetBrowsing();
    void catalogStore.loadMore();
    void libraryStore.reload();
    // The main screen stays mounted across a switch: the new account's stars are read here.
    void starsStore.load();
  }
  return switched;
}

/** Shows the sign-in form for another account; the current one's catalog is not the next one's. */
export function addAccount(): void {
  sessionStore.addAccount();
  catalogStore.reset();
  resetBrowsing();
}

/**
 * Goes back to sign-in, with the backend's words, when a command fails because the session
 * ended (its refresh was refused), or when the listener signed out everywhere on another
 * device (then this one signs out too, forgetting its kept session). Returns the function
 * that stops watching.
 */
export function watchSessionEnd(): ipc.Unlisten {
  const back = (error: AppError) => {
    sessionStore.sessionEnded(error);
    catalogStore.reset();
    devicesStore.reset();
    resetBrowsing();
  };
  const stopEnded = ipc.onSessionEnded(back);
  let stopped = false;
  let stopElsewhere: ipc.Unlisten | null = null;
  ipc
    .onSignedOutElsewhere(() => {
      if (!sessionStore.signedIn) return;
      const words: AppError = { kind: "auth", message: m.session_signed_out_elsewhere() };
      // The backend forgets the session it kept; the window says why it is at sign-in.
      void ipc.signOut().catch(() => {});
      back(words);
    })
    .then(
      (stop) => {
        if (stopped) stop();
        else stopElsewhere = stop;
      },
      () => {
        // No shell to listen to (a page without Tauri): nothing arrives.
      },
    );
  return () => {
    stopped = true;
    stopEnded();
    stopElsewhere?.();
  };
}
