// Stars (a Subsonic server's favourites): the stars shown, a toggle, and the Starred page.
import type { StarRef, StarredPage } from "./bindings";
import { call, subscribe, type Unlisten } from "./transport";

/**
 * The stars kept changed other than by this window's click: a toggle the server refused
 * while a sync pass sent it (the star is back as it was). No payload: read them again.
 */
export const STARS_CHANGED_EVENT = "stars-changed";

export function onStarsChanged(callback: () => void): Promise<Unlisten> {
  return subscribe<null>(STARS_CHANGED_EVENT, () => callback());
}

/** The stars as kept on this computer (the server's, with the toggles not sent yet). */
export function stars(): Promise<StarRef[]> {
  return call("stars");
}

/** Stars or unstars; kept offline until the server has it. Rejects when the server refused. */
export function setStarred(target: StarRef, starred: boolean): Promise<void> {
  return call("set_starred", { target, starred });
}

/** What the listener starred, from the server (fails in words offline). */
export function starredPage(): Promise<StarredPage> {
  return call("starred_page");
}
