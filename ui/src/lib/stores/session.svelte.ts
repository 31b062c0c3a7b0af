import * as ipc from "../../ipc";
import type { AppError, CodeDelivery, Session, SignInChallenge, SignInStep, StaySignedIn } from "../../ipc";

/**
 * "checking" until the backend said whether a session exists (or restored the kept one);
 * "signing_in" while any account request (sign in, a code, sign-up, reset) is in flight.
 */
export type SessionPhase = "checking" | "signed_out" | "signing_in" | "signed_in";

/** Which form the account screen shows. */
export type AccountView =
  | { name: "sign_in" }
  | { name: "challenge"; challenge: SignInChallenge }
  | { name: "sign_up" }
  | { name: "confirm_sign_up"; username: string; delivery: CodeDelivery }
  | { name: "forgot_password" }
  | { name: "reset_password"; username: string; delivery: CodeDelivery };

/** "We sent a code to a***@e***." in words, whatever the service said about where. */
export function describeDelivery(delivery: CodeDelivery): string {
  if (delivery.destination) return `We sent a code to ${delivery.destination}.`;
  if (delivery.medium === "SMS") return "We sent a code by text message.";
  if (delivery.medium === "EMAIL") return "We sent a code by email.";
  return "We sent you a code.";
}

export class SessionStore {
  phase = $state<SessionPhase>("checking");
  current = $state<Session | null>(null);
  defaultServiceUrl = $state("");
  error = $state<AppError | null>(null);
  /** Whether the "Stay signed in" box can be ticked; null until the backend said. */
  staySignedIn = $state<StaySignedIn | null>(null);
  view = $state<AccountView>({ name: "sign_in" });
  /** A success in words for the account screen ("We sent a code to …"). */
  notice = $state<string | null>(null);

  get signedIn(): boolean {
    return this.phase === "signed_in" && this.current !== null;
  }

  get busy(): boolean {
    return this.phase === "signing_in";
  }

  /** At start: the default URL, "stay signed in" availability, and the kept session if any. */
  async init(): Promise<void> {
    this.phase = "checking";
    const [url, stay, restored] = await Promise.allSettled([
      ipc.defaultServiceUrl(),
      ipc.staySignedIn(),
      ipc.restoreSession(),
    ]);
    if (url.status === "fulfilled") this.defaultServiceUrl = url.value;
    this.staySignedIn =
      stay.status === "fulfilled" ? stay.value : { available: false, reason: ipc.toAppError(stay.reason).message };
    if (restored.status === "fulfilled" && restored.value) {
      this.current = restored.value;
      this.phase = "signed_in";
      return;
    }
    this.current = null;
    this.phase = "signed_out";
    if (restored.status === "rejected") this.error = ipc.toAppError(restored.reason);
  }

  /** Resolves true once signed in; false on failure (see `error`) or at a challenge (see `view`). */
  signIn(serviceUrl: string, username: string, password: string, staySignedIn = false): Promise<boolean> {
    return this.#run(async () => {
      const stay = staySignedIn && (this.staySignedIn?.available ?? false);
      return this.#step(await ipc.signIn(serviceUrl.trim(), username.trim(), password, stay));
    });
  }

  /** Answers the challenge on show: the new password, or the code. */
  answerChallenge(answer: string): Promise<boolean> {
    const view = this.view;
    if (view.name !== "challenge") return Promise.resolve(false);
    const isPassword = view.challenge.kind.kind === "new_password";
    return this.#run(async () =>
      this.#step(await ipc.answerChallenge(view.challenge.id, isPassword ? answer : answer.trim())),
    );
  }

  /** Creates an account; then asks for the code it was sent (or signs in if none is needed). */
  signUp(serviceUrl: string, username: string, password: string, email: string, staySignedIn = false): Promise<boolean> {
    return this.#run(async () => {
      const outcome = await ipc.signUp(serviceUrl.trim(), username.trim(), password, email.trim());
      if (outcome.confirmed) {
        return this.#signInAfter(serviceUrl, username, password, staySignedIn);
      }
      this.view = { name: "confirm_sign_up", username: username.trim(), delivery: outcome.delivery };
      this.notice = describeDelivery(outcome.delivery);
      return false;
    });
  }

  /** Confirms the new account with its code, then signs in with the password just chosen. */
  confirmSignUp(serviceUrl: string, code: string, password: string, staySignedIn = false): Promise<boolean> {
    const view = this.view;
    if (view.name !== "confirm_sign_up") return Promise.resolve(false);
    return this.#run(async () => {
      await ipc.confirmSignUp(serviceUrl.trim(), view.username, code.trim());
      return this.#signInAfter(serviceUrl, view.username, password, staySignedIn);
    });
  }

  /** Sends a new confirmation code. */
  resendCode(serviceUrl: string): Promise<boolean> {
    const view = this.view;
    if (view.name !== "confirm_sign_up") return Promise.resolve(false);
    return this.#run(async () => {
      const delivery = await ipc.resendConfirmationCode(serviceUrl.trim(), view.username);
      this.notice = describeDelivery(delivery);
      return false;
    });
  }

  /** Asks for a password-reset code; then shows the form for the code and a new password. */
  forgotPassword(serviceUrl: string, username: string): Promise<boolean> {
    return this.#run(async () => {
      const delivery = await ipc.forgotPassword(serviceUrl.trim(), username.trim());
      this.view = { name: "reset_password", username: username.trim(), delivery };
      this.notice = describeDelivery(delivery);
      return false;
    });
  }

  /** Sets the new password with the code, then signs in with it. */
  resetPassword(serviceUrl: string, code: string, newPassword: string, staySignedIn = false): Promise<boolean> {
    const view = this.view;
    if (view.name !== "reset_password") return Promise.resolve(false);
    return this.#run(async () => {
      await ipc.confirmForgotPassword(serviceUrl.trim(), view.username, code.trim(), newPassword);
      return this.#signInAfter(serviceUrl, view.username, newPassword, staySignedIn);
    });
  }

  /** Switches the account screen's form; errors and notices belong to the previous one. */
  show(view: AccountView): void {
    if (this.busy) return;
    this.view = view;
    this.error = null;
    this.notice = null;
  }

  /** The backend ended the session (refresh refused): back to sign-in with its words. */
  sessionEnded(error: AppError): void {
    if (this.phase !== "signed_in") return;
    this.current = null;
    this.phase = "signed_out";
    this.view = { name: "sign_in" };
    this.notice = null;
    this.error = error;
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
    this.view = { name: "sign_in" };
  }

  /** After sign-up or a reset the account is ready; if signing in fails, the sign-in form shows why. */
  async #signInAfter(serviceUrl: string, username: string, password: string, staySignedIn: boolean): Promise<boolean> {
    const stay = staySignedIn && (this.staySignedIn?.available ?? false);
    try {
      return this.#step(await ipc.signIn(serviceUrl.trim(), username.trim(), password, stay));
    } catch (error) {
      this.view = { name: "sign_in" };
      this.notice = null;
      throw error;
    }
  }

  #step(step: SignInStep): boolean {
    if (step.step === "signed_in") {
      this.current = step.session;
      this.view = { name: "sign_in" };
      this.notice = null;
      return true;
    }
    this.view = { name: "challenge", challenge: step.challenge };
    this.notice = null;
    return false;
  }

  /** One account request at a time; its error ends up in `error`, in words. */
  async #run(request: () => Promise<boolean>): Promise<boolean> {
    if (this.busy) return false;
    this.phase = "signing_in";
    this.error = null;
    try {
      const signedIn = await request();
      this.phase = signedIn ? "signed_in" : "signed_out";
      return signedIn;
    } catch (error) {
      this.error = ipc.toAppError(error);
      this.phase = "signed_out";
      return false;
    }
  }
}

export const sessionStore = new SessionStore();
