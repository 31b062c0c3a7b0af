// Stars (a Subsonic server's favourites): the stars shown, a toggle, and the Starred page.
import type { StarRef, StarredPage } from "./bindings";
import { call } from "./transport";

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
