import { m, speaksCoreLanguage } from "$lib/i18n";
import * as ipc from "../../ipc";
import type {
  AppError,
  CodeDelivery,
  Features,
  RememberedAccount,
  Session,
  SignInChallenge,
  SignInStep,
  StaySignedIn,
} from "../../ipc";

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
  if (delivery.destination) return m.code_sent_to({ destination: delivery.destination });
  if (delivery.medium === "SMS") return m.code_sent_sms();
  if (delivery.medium === "EMAIL") return m.code_sent_email();
  return m.code_sent();
}

/**
 * What a sign-in challenge asks for. In English, the core's own prompt; in another
 * language, the window's sentence for the challenge's kind.
 */
export function challengeWords(challenge: SignInChallenge): string {
  if (speaksCoreLanguage()) return challenge.prompt;
  const kind = challenge.kind;
  switch (kind.kind) {
    case "new_password":
      return m.challenge_new_password();
    case "authenticator_code":
      return m.challenge_authenticator();
    case "sms_code":
      return kind.destination ? m.challenge_sms_to({ destination: kind.destination }) : m.challenge_sms();
  }
}

/**
 * Why "Stay signed in" is off, or its caveat: the core's sentence in English; in another
 * language, the window's for either case (the core has one store with a caveat, the kernel
 * keyring, and several reasons for none).
 */
export function stayWords(stay: StaySignedIn): string | null {
  if (!stay.reason || speaksCoreLanguage()) return stay.reason;
  return stay.available ? m.stay_until_logout() : m.stay_unavailable();
}

/**
 * The host a sign-in would trust with the password, as typed so far: "music.example.com" for
 * "https://music.example.com/api"; null until the address reads as an http(s) URL.
 */
export function hostToTrust(serviceUrl: string): string | null {
  try {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- parsed once, never kept
    const url = new URL(serviceUrl.trim());
    return (url.protocol === "https:" || url.protocol === "http:") && url.host ? url.host : null;
  } catch {
    return null;
  }
}

/** "music.example.com" for "https://music.example.com/": how a service is named to people. */
export function serviceHost(serviceUrl: string): string {
  try {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- parsed once, never kept
    return new URL(serviceUrl).host || serviceUrl;
  } catch {
    return serviceUrl;
  }
}

/**
 * Where the webview keeps the listener's choice to play the music on this computer without
 * an account, so the next start opens the window there rather than at sign-in. A UI flag,
 * nothing secret: the session and its tokens are the core's.
 */
const ON_THIS_COMPUTER_KEY = "strato.on-this-computer";

function rememberOnThisComputer(chosen: boolean): void {
  try {
    if (chosen) localStorage.setItem(ON_THIS_COMPUTER_KEY, "1");
    else localStorage.removeItem(ON_THIS_COMPUTER_KEY);
  } catch {
    // No storage (a private page, a test without one): the choice lasts until the window closes.
  }
}

function rememberedOnThisComputer(): boolean {
  try {
    return localStorage.getItem(ON_THIS_COMPUTER_KEY) === "1";
  } catch {
    return false;
  }
}

const NO_FEATURES: Features = {
  uploads: false,
  lyrics: false,
  stars: false,
  playlist_revisions: false,
  playlist_sync: false,
  downloads: false,
  catalog: false,
  live_updates: false,
  scrobble: false,
};

export class SessionStore {
  phase = $state<SessionPhase>("checking");
  current = $state<Session | null>(null);
  defaultServiceUrl = $state("");
  error = $state<AppError | null>(null);
  /** Whether the "Stay signed in" box can be ticked; null until the backend said. */
  staySignedIn = $state<StaySignedIn | null>(null);
  /** The developer setting that lets any service address in is on: the sign-in screen warns. */
  insecureServices = $state(false);
  view = $state<AccountView>({ name: "sign_in" });
  /** A success in words for the account screen ("We sent a code to …"). */
  notice = $state<string | null>(null);
  /** The accounts kept on this computer, offered as "Continue as …" and in the account menu. */
  remembered = $state<RememberedAccount[]>([]);
  /**
   * The sign-in form is on show to add another account while `current` stays signed in (the
   * backend's session is untouched until the new one signs in).
   */
  adding = $state(false);
  /** A switch to a kept account is in flight; `phase` stays as it was meanwhile. */
  switching = $state(false);
  /**
   * Signed out, the listener chose "Play music on this computer": the main window shows what
   * needs no account (their files, the playlists kept here, the queue, Settings), with
   * `features` all off. Remembered across restarts until they go to sign in.
   */
  onThisComputer = $state(false);

  /**
   * What the signed-in service offers: the window hides what it lacks (a Subsonic server has
   * no uploads, say). Signed out, nothing.
   */
  get features(): Features {
    return this.current?.features ?? NO_FEATURES;
  }

  get signedIn(): boolean {
    return this.phase === "signed_in" && this.current !== null;
  }

  get busy(): boolean {
    return this.phase === "signing_in";
  }

  /** The main window is shown: signed in, or signed out with the music on this computer. */
  get mainWindow(): boolean {
    return this.signedIn || (this.onThisComputer && this.phase === "signed_out" && this.current === null);
  }

  /** Opens the main window signed out, with what works without an account. */
  playOnThisComputer(): void {
    if (this.busy || this.switching || this.current !== null) return;
    this.error = null;
    this.notice = null;
    this.view = { name: "sign_in" };
    this.onThisComputer = true;
    rememberOnThisComputer(true);
  }

  /** From the window signed out, back to the sign-in screen (which offers the way back). */
  showSignIn(): void {
    this.#leaveThisComputer();
    this.view = { name: "sign_in" };
  }

  #leaveThisComputer(): void {
    this.onThisComputer = false;
    rememberOnThisComputer(false);
  }

  /** At start: the default URL, "stay signed in" availability, and the kept session if any. */
  async init(): Promise<void> {
    this.phase = "checking";
    const [url, trust, stay, restored] = await Promise.allSettled([
      ipc.defaultServiceUrl(),
      ipc.serviceTrust(),
      ipc.staySignedIn(),
      ipc.restoreSession(),
    ]);
    if (url.status === "fulfilled") this.defaultServiceUrl = url.value;
    this.insecureServices = trust.status === "fulfilled" && trust.value.allow_insecure;
    this.staySignedIn =
      stay.status === "fulfilled" ? stay.value : { available: false, reason: ipc.toAppError(stay.reason).message };
    if (restored.status === "fulfilled" && restored.value) {
      this.current = restored.value;
      this.phase = "signed_in";
      this.#leaveThisComputer();
      await this.refreshRemembered();
      return;
    }
    this.current = null;
    this.onThisComputer = rememberedOnThisComputer();
    this.phase = "signed_out";
    if (restored.status === "rejected") this.error = ipc.toAppError(restored.reason);
    await this.refreshRemembered();
  }

  /** The kept accounts as the backend has them now; a failure lists none (signing in by hand still works). */
  async refreshRemembered(): Promise<void> {
    try {
      this.remembered = await ipc.rememberedAccounts();
    } catch {
      this.remembered = [];
    }
  }

  /**
   * Signs in as a kept account, from the sign-in screen or the account menu. Resolves true once
   * switched; on failure the current session (if any) goes on and `error` says why.
   */
  async switchAccount(account: Pick<RememberedAccount, "service_url" | "username">): Promise<boolean> {
    if (this.busy || this.switching) return false;
    this.switching = true;
    this.error = null;
    try {
      this.current = await ipc.switchAccount(account.service_url, account.username);
      this.phase = "signed_in";
      this.#leaveThisComputer();
      this.adding = false;
      this.view = { name: "sign_in" };
      this.notice = null;
      return true;
    } catch (error) {
      this.error = ipc.toAppError(error);
      return false;
    } finally {
      this.switching = false;
      // A refused account was forgotten by the backend: it leaves the list.
      await this.refreshRemembered();
    }
  }

  /** Removes a kept account and its token from this computer. */
  async forgetAccount(account: Pick<RememberedAccount, "service_url" | "username">): Promise<void> {
    try {
      await ipc.forgetAccount(account.service_url, account.username);
    } catch (error) {
      this.error = ipc.toAppError(error);
    }
    await this.refreshRemembered();
  }

  /** Shows the sign-in form to add another account; the current one stays signed in until then. */
  addAccount(): void {
    if (this.phase !== "signed_in" || this.switching) return;
    this.adding = true;
    this.phase = "signed_out";
    this.view = { name: "sign_in" };
    this.error = null;
    this.notice = null;
  }

  /** Leaves the sign-in form for the account still signed in. */
  cancelAdding(): void {
    if (!this.adding || this.busy || this.switching) return;
    this.adding = false;
    this.error = null;
    this.notice = null;
    this.view = { name: "sign_in" };
    if (this.current) this.phase = "signed_in";
  }

  /** Resolves true once signed in; false on failure (see `error`) or at a challenge (see `view`). */
  signIn(serviceUrl: string, username: string, password: string, staySignedIn = false): Promise<boolean> {
    return this.#run(async () => {
      const stay = staySignedIn && (this.staySignedIn?.available ?? false);
      return this.#step(await ipc.signIn(serviceUrl.trim(), username.trim(), password, stay));
    });
  }

  /** Signs in to a Subsonic server with an API key (no name, no password); true once signed in. */
  signInWithApiKey(serviceUrl: string, apiKey: string, staySignedIn = false): Promise<boolean> {
    return this.#run(async () => {
      const stay = staySignedIn && (this.staySignedIn?.available ?? false);
      return this.#step({ step: "signed_in", session: await ipc.signInWithApiKey(serviceUrl.trim(), apiKey.trim(), stay) });
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
    if (this.phase !== "signed_in" && !this.adding) return;
    this.adding = false;
    this.current = null;
    this.phase = "signed_out";
    this.view = { name: "sign_in" };
    this.notice = null;
    this.error = error;
    void this.refreshRemembered();
  }

  async signOut(): Promise<void> {
    try {
      await ipc.signOut();
    } catch (error) {
      // The local view still signs out; the backend's session is gone or unusable.
      this.error = ipc.toAppError(error);
    }
    this.current = null;
    this.adding = false;
    this.phase = "signed_out";
    this.view = { name: "sign_in" };
    await this.refreshRemembered();
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
      this.#leaveThisComputer();
      this.adding = false;
      this.view = { name: "sign_in" };
      this.notice = null;
      void this.refreshRemembered();
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
