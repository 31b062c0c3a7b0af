import * as ipc from "../../ipc";
import { catalogStore } from "./catalog.svelte";
import { sessionStore } from "./session.svelte";

/** Signs out and forgets the signed-in user's catalog. */
export async function signOut(): Promise<void> {
  await sessionStore.signOut();
  catalogStore.reset();
}

/**
 * Goes back to sign-in, with the backend's words, when a command fails because the session
 * ended (its refresh was refused). Returns the function that stops watching.
 */
export function watchSessionEnd(): ipc.Unlisten {
  return ipc.onSessionEnded((error) => {
    sessionStore.sessionEnded(error);
    catalogStore.reset();
  });
}
