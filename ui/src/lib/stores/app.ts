import { catalogStore } from "./catalog.svelte";
import { sessionStore } from "./session.svelte";

/** Signs out and forgets the signed-in user's catalog. */
export async function signOut(): Promise<void> {
  await sessionStore.signOut();
  catalogStore.reset();
}
