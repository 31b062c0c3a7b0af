import * as ipc from "../../ipc";
import type { AppError, Session } from "../../ipc";

/** "checking" until the backend said whether a session exists. */
export type SessionPhase = "checking" | "signed_out" | "signing_in" | "signed_in";

export class SessionStore {
  phase = $state<SessionPhase>("checking");
  current = $state<Session | null>(null);
  defaultServiceUrl = $state("");
  error = $state<AppError | null>(null);

  get signedIn(): boolean {
    return this.phase === "signed_in" && this.current !== null;
  }

  async init(): Promise<void> {
    this.phase = "checking";
    const [url, existing] = await Promise.allSettled([ipc.defaultServiceUrl(), ipc.session()]);
    if (url.status === "fulfilled") this.defaultServiceUrl = url.value;
    if (existing.status === "fulfilled" && existing.value) {
      this.current = existing.value;
      this.phase = "signed_in";
      return;
    }
    this.current = null;
    this.phase = "signed_out";
    if (existing.status === "rejected") this.error = ipc.toAppError(existing.reason);
  }

  /** Resolves true on success; on failure `error` holds the reason. */
  async signIn(serviceUrl: string, username: string, password: string): Promise<boolean> {
    if (this.phase === "signing_in") return false;
    this.phase = "signing_in";
    this.error = null;
    try {
      this.current = await ipc.signIn(serviceUrl.trim(), username.trim(), password);
      this.phase = "signed_in";
      return true;
    } catch (error) {
      this.error = ipc.toAppError(error);
      this.phase = "signed_out";
      return false;
    }
  }

  async signOut(): Promise<void> {
    try {
      await ipc.signOut();
    } catch (error) {
      // The local view still signs out; the backend's session is gone or unusable.
      this.error = ipc.toAppError(error);
    }
    this.current = null;
    this.phase = "signed_out";
  }
}

export const sessionStore = new SessionStore();
