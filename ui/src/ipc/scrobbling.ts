// Scrobbling for the Settings screen: where plays are reported, and ListenBrainz connected
// with the listener's user token (checked by the service, kept only in the keychain).
import type { ScrobblingView } from "./bindings";
import { call } from "./transport";

/** Where the signed-in account's plays are reported, and the listens waiting. */
export function scrobbling(): Promise<ScrobblingView> {
  return call("scrobbling");
}

/** Connects ListenBrainz with `token`; rejects in words when the service refuses it. */
export function connectListenbrainz(token: string): Promise<ScrobblingView> {
  return call("connect_listenbrainz", { token });
}

/** Stops reporting to ListenBrainz and forgets the token. */
export function disconnectListenbrainz(): Promise<ScrobblingView> {
  return call("disconnect_listenbrainz");
}
