import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makeSession } from "../../test/fixtures";
import type { RememberedAccount, Session, SignInChallenge, SignInStep } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  defaultServiceUrl: vi.fn(),
  serviceTrust: vi.fn(),
  staySignedIn: vi.fn(),
  restoreSession: vi.fn(),
  signIn: vi.fn(),
  answerChallenge: vi.fn(),
  signUp: vi.fn(),
  confirmSignUp: vi.fn(),
  resendConfirmationCode: vi.fn(),
  forgotPassword: vi.fn(),
  confirmForgotPassword: vi.fn(),
  signOut: vi.fn(),
  rememberedAccounts: vi.fn(),
  switchAccount: vi.fn(),
  forgetAccount: vi.fn(),
}));

import * as ipc from "../../ipc";
import { localeStore } from "$lib/i18n";
import { SessionStore, challengeWords, describeDelivery, hostToTrust, serviceHost, stayWords } from "./session.svelte";

const mocked = vi.mocked(ipc);
const ana: Session = makeSession("http://music.local", "ana");
const signedIn: SignInStep = { step: "signed_in", session: ana };
const newPassword: SignInChallenge = {
  id: "challenge-1",
  kind: { kind: "new_password" },
  prompt: "To sign in, choose a new password.",
};
const smsCode: SignInChallenge = {
  id: "challenge-2",
  kind: { kind: "sms_code", destination: "+*******1234" },
  prompt: "To sign in, enter the code sent by text message to +*******1234.",
};

async function startedStore(): Promise<SessionStore> {
  mocked.restoreSession.mockResolvedValue(null);
  const store = new SessionStore();
  await store.init();
  return store;
}

beforeEach(() => {
  vi.resetAllMocks();
  mocked.defaultServiceUrl.mockResolvedValue("http://music.local");
  mocked.serviceTrust.mockResolvedValue({ allow_insecure: false });
  mocked.staySignedIn.mockResolvedValue({ available: true, reason: null });
  mocked.rememberedAccounts.mockResolvedValue([]);
});

describe("SessionStore start", () => {
  it("is signed out with the default URL when no session was kept", async () => {
    const store = await startedStore();
    expect(store.phase).toBe("signed_out");
    expect(store.signedIn).toBe(false);
    expect(store.defaultServiceUrl).toBe("http://music.local");
    expect(store.staySignedIn).toEqual({ available: true, reason: null });
    expect(store.insecureServices).toBe(false);
  });

  it("learns that the developer setting lets any service address in", async () => {
    mocked.serviceTrust.mockResolvedValue({ allow_insecure: true });
    const store = await startedStore();
    expect(store.insecureServices).toBe(true);
  });

  it("names the host of an address as typed, and nothing for what is not an address yet", () => {
    expect(hostToTrust(" https://music.example.com/api ")).toBe("music.example.com");
    expect(hostToTrust("http://127.0.0.1:8787")).toBe("127.0.0.1:8787");
    expect(hostToTrust("music.example.com")).toBeNull();
    expect(hostToTrust("ftp://music.example.com")).toBeNull();
    expect(hostToTrust("")).toBeNull();
  });

  it("goes straight to the library when a kept session is restored", async () => {
    mocked.restoreSession.mockResolvedValue(ana);
    const store = new SessionStore();
    await store.init();
    expect(store.signedIn).toBe(true);
    expect(store.current).toEqual(ana);
  });

  it("shows the sign-in form with the reason when the kept session cannot be restored", async () => {
    mocked.restoreSession.mockRejectedValue({
      kind: "auth",
      message: "Your session has ended. Please sign in again.",
    });
    const store = new SessionStore();
    await store.init();
    expect(store.phase).toBe("signed_out");
    expect(store.error?.message).toBe("Your session has ended. Please sign in again.");
  });

  it("offers no 'stay signed in' when the backend cannot say", async () => {
    mocked.staySignedIn.mockRejectedValue("no such command");
    const store = await startedStore();
    expect(store.staySignedIn).toEqual({ available: false, reason: "no such command" });
  });
});

describe("SessionStore sign-in", () => {
  it("trims the URL and username but not the password, and passes 'stay signed in'", async () => {
    mocked.signIn.mockResolvedValue(signedIn);
    const store = await startedStore();
    expect(await store.signIn(" http://music.local ", " ana ", " pw ", true)).toBe(true);
    expect(mocked.signIn).toHaveBeenCalledWith("http://music.local", "ana", " pw ", true);
    expect(store.signedIn).toBe(true);
  });

  it("never asks to stay signed in where it is unavailable", async () => {
    mocked.staySignedIn.mockResolvedValue({ available: false, reason: "No keychain." });
    mocked.signIn.mockResolvedValue(signedIn);
    const store = await startedStore();
    await store.signIn("u", "ana", "pw", true);
    expect(mocked.signIn).toHaveBeenCalledWith("u", "ana", "pw", false);
  });

  it("is signing_in while waiting and ignores a second submit", async () => {
    const pending = deferred<SignInStep>();
    mocked.signIn.mockReturnValue(pending.promise);
    const store = await startedStore();

    const first = store.signIn("u", "ana", "pw");
    expect(store.phase).toBe("signing_in");
    expect(await store.signIn("u", "ana", "pw")).toBe(false);
    pending.resolve(signedIn);
    await first;

    expect(mocked.signIn).toHaveBeenCalledTimes(1);
    expect(store.phase).toBe("signed_in");
  });

  it("keeps the backend's error and clears it on the next attempt", async () => {
    mocked.signIn
      .mockRejectedValueOnce({ kind: "auth", message: "Wrong username or password" })
      .mockResolvedValueOnce(signedIn);
    const store = await startedStore();

    expect(await store.signIn("u", "ana", "bad")).toBe(false);
    expect(store.phase).toBe("signed_out");
    expect(store.error).toEqual({ kind: "auth", message: "Wrong username or password" });

    await store.signIn("u", "ana", "good");
    expect(store.error).toBeNull();
  });

  it("asks a challenge, answers it by id, and follows a further one", async () => {
    mocked.signIn.mockResolvedValue({ step: "challenge", challenge: newPassword });
    mocked.answerChallenge
      .mockResolvedValueOnce({ step: "challenge", challenge: smsCode })
      .mockResolvedValueOnce(signedIn);
    const store = await startedStore();

    expect(await store.signIn("u", "ana", "Temp-1")).toBe(false);
    expect(store.view).toEqual({ name: "challenge", challenge: newPassword });
    expect(store.phase).toBe("signed_out");

    expect(await store.answerChallenge(" New-Pass-1 ")).toBe(false);
    expect(mocked.answerChallenge).toHaveBeenLastCalledWith("challenge-1", " New-Pass-1 ");
    expect(store.view).toEqual({ name: "challenge", challenge: smsCode });

    expect(await store.answerChallenge(" 123456 ")).toBe(true);
    expect(mocked.answerChallenge).toHaveBeenLastCalledWith("challenge-2", "123456");
    expect(store.signedIn).toBe(true);
    expect(store.view).toEqual({ name: "sign_in" });
  });

  it("stays on the challenge with the words when an answer is refused", async () => {
    mocked.signIn.mockResolvedValue({ step: "challenge", challenge: smsCode });
    mocked.answerChallenge.mockRejectedValue({ kind: "auth", message: "That code is wrong." });
    const store = await startedStore();
    await store.signIn("u", "ana", "pw");
    expect(await store.answerChallenge("000000")).toBe(false);
    expect(store.view.name).toBe("challenge");
    expect(store.error?.message).toBe("That code is wrong.");
  });
});

describe("SessionStore account recovery and creation", () => {
  it("signs up, confirms the code, then signs in with the new password", async () => {
    mocked.signUp.mockResolvedValue({
      confirmed: false,
      delivery: { destination: "a***@e***", medium: "EMAIL" },
    });
    mocked.confirmSignUp.mockResolvedValue(undefined);
    mocked.signIn.mockResolvedValue(signedIn);
    const store = await startedStore();
    store.show({ name: "sign_up" });

    expect(await store.signUp("u", " ana ", "Pw-12345!", " ana@example.com ", true)).toBe(false);
    expect(mocked.signUp).toHaveBeenCalledWith("u", "ana", "Pw-12345!", "ana@example.com");
    expect(store.view).toMatchObject({ name: "confirm_sign_up", username: "ana" });
    expect(store.notice).toBe("We sent a code to a***@e***.");

    expect(await store.confirmSignUp("u", " 123456 ", "Pw-12345!", true)).toBe(true);
    expect(mocked.confirmSignUp).toHaveBeenCalledWith("u", "ana", "123456");
    expect(mocked.signIn).toHaveBeenCalledWith("u", "ana", "Pw-12345!", true);
    expect(store.signedIn).toBe(true);
  });

  it("resends the confirmation code and says where it went", async () => {
    mocked.signUp.mockResolvedValue({ confirmed: false, delivery: { destination: null, medium: null } });
    mocked.resendConfirmationCode.mockResolvedValue({ destination: null, medium: "SMS" });
    const store = await startedStore();
    await store.signUp("u", "ana", "pw", "a@e.com");
    await store.resendCode("u");
    expect(mocked.resendConfirmationCode).toHaveBeenCalledWith("u", "ana");
    expect(store.notice).toBe("We sent a code by text message.");
  });

  it("resets a forgotten password and signs in with the new one", async () => {
    mocked.forgotPassword.mockResolvedValue({ destination: "a***@e***", medium: "EMAIL" });
    mocked.confirmForgotPassword.mockResolvedValue(undefined);
    mocked.signIn.mockResolvedValue(signedIn);
    const store = await startedStore();
    store.show({ name: "forgot_password" });

    await store.forgotPassword("u", " ana ");
    expect(mocked.forgotPassword).toHaveBeenCalledWith("u", "ana");
    expect(store.view).toMatchObject({ name: "reset_password", username: "ana" });

    expect(await store.resetPassword("u", "123456", "New-Pass-1")).toBe(true);
    expect(mocked.confirmForgotPassword).toHaveBeenCalledWith("u", "ana", "123456", "New-Pass-1");
    expect(mocked.signIn).toHaveBeenCalledWith("u", "ana", "New-Pass-1", false);
  });

  it("keeps the reset form and the words when the code is wrong", async () => {
    mocked.forgotPassword.mockResolvedValue({ destination: null, medium: "EMAIL" });
    mocked.confirmForgotPassword.mockRejectedValue({
      kind: "invalid_input",
      message: "That code is wrong or has expired.",
    });
    const store = await startedStore();
    await store.forgotPassword("u", "ana");
    expect(await store.resetPassword("u", "1", "New-Pass-1")).toBe(false);
    expect(store.view.name).toBe("reset_password");
    expect(store.error?.message).toBe("That code is wrong or has expired.");
    expect(mocked.signIn).not.toHaveBeenCalled();
  });

  it("clears errors and notices when switching forms", async () => {
    mocked.forgotPassword.mockRejectedValue({ kind: "network", message: "Offline." });
    const store = await startedStore();
    await store.forgotPassword("u", "ana");
    expect(store.error).not.toBeNull();
    store.show({ name: "sign_in" });
    expect(store.error).toBeNull();
    expect(store.notice).toBeNull();
  });

  it("describes where codes went in words", () => {
    expect(describeDelivery({ destination: null, medium: "EMAIL" })).toBe("We sent a code by email.");
    expect(describeDelivery({ destination: null, medium: null })).toBe("We sent you a code.");
  });
});

describe("the account screen's words in German", () => {
  afterEach(() => localeStore.use(null));

  it("words the core's prompts and caveats by their kind, and keeps them as they are in English", () => {
    expect(challengeWords(smsCode)).toBe(smsCode.prompt);
    localeStore.use("de");
    expect(describeDelivery({ destination: "a***@e***", medium: "EMAIL" })).toBe("Wir haben einen Code an a***@e*** gesendet.");
    expect(challengeWords(newPassword)).toBe("Wählen Sie ein neues Passwort, um sich anzumelden.");
    expect(challengeWords(smsCode)).toBe("Geben Sie den Code ein, der per SMS an +*******1234 gesendet wurde, um sich anzumelden.");
    expect(stayWords({ available: false, reason: "The kernel keyring exists only on Linux." })).toContain("nicht möglich");
    expect(stayWords({ available: true, reason: null })).toBeNull();
  });
});

describe("SessionStore end of session", () => {
  it("goes back to sign-in with the words when the session ends", async () => {
    mocked.restoreSession.mockResolvedValue(ana);
    const store = new SessionStore();
    await store.init();
    store.sessionEnded({ kind: "auth", message: "Your session has ended. Please sign in again." });
    expect(store.signedIn).toBe(false);
    expect(store.view).toEqual({ name: "sign_in" });
    expect(store.error?.message).toBe("Your session has ended. Please sign in again.");
  });

  it("signs out locally even when the backend call fails", async () => {
    mocked.restoreSession.mockResolvedValue(ana);
    mocked.signOut.mockRejectedValue("boom");
    const store = new SessionStore();
    await store.init();
    await store.signOut();
    expect(store.signedIn).toBe(false);
    expect(store.current).toBeNull();
  });
});

describe("SessionStore kept accounts", () => {
  const ben: Session = makeSession("http://other.local", "ben");
  const keptAna: RememberedAccount = { ...ana, current: true };
  const keptBen: RememberedAccount = { ...ben, current: false };

  async function signedInAsAna(): Promise<SessionStore> {
    mocked.restoreSession.mockResolvedValue(ana);
    mocked.rememberedAccounts.mockResolvedValue([keptAna, keptBen]);
    const store = new SessionStore();
    await store.init();
    return store;
  }

  it("lists the kept accounts at start, signed in or not", async () => {
    mocked.rememberedAccounts.mockResolvedValue([keptBen]);
    const store = await startedStore();
    expect(store.remembered).toEqual([keptBen]);
    expect((await signedInAsAna()).remembered).toEqual([keptAna, keptBen]);
  });

  it("lists none when the backend cannot say", async () => {
    mocked.rememberedAccounts.mockRejectedValue({ kind: "internal", message: "boom" });
    const store = await startedStore();
    expect(store.remembered).toEqual([]);
    expect(store.error).toBeNull();
  });

  it("switches to a kept account from the sign-in screen", async () => {
    mocked.switchAccount.mockResolvedValue(ben);
    const store = await startedStore();
    expect(await store.switchAccount(keptBen)).toBe(true);
    expect(mocked.switchAccount).toHaveBeenCalledWith("http://other.local", "ben");
    expect(store.signedIn).toBe(true);
    expect(store.current).toEqual(ben);
  });

  it("stays signed in as before with the reason when a switch fails, and relists", async () => {
    const store = await signedInAsAna();
    mocked.switchAccount.mockRejectedValue({ kind: "auth", message: "Your session has ended. Please sign in again." });
    mocked.rememberedAccounts.mockResolvedValue([keptAna]);
    expect(await store.switchAccount(keptBen)).toBe(false);
    expect(store.signedIn).toBe(true);
    expect(store.current).toEqual(ana);
    expect(store.error?.message).toBe("Your session has ended. Please sign in again.");
    expect(store.remembered).toEqual([keptAna]);
  });

  it("ignores a second switch while one is in flight", async () => {
    const store = await signedInAsAna();
    const pending = deferred<Session>();
    mocked.switchAccount.mockReturnValue(pending.promise);
    const first = store.switchAccount(keptBen);
    expect(store.switching).toBe(true);
    expect(store.signedIn).toBe(true);
    expect(await store.switchAccount(keptBen)).toBe(false);
    pending.resolve(ben);
    expect(await first).toBe(true);
    expect(mocked.switchAccount).toHaveBeenCalledTimes(1);
    expect(store.switching).toBe(false);
  });

  it("forgets an account and relists", async () => {
    const store = await signedInAsAna();
    mocked.rememberedAccounts.mockResolvedValue([keptAna]);
    await store.forgetAccount(keptBen);
    expect(mocked.forgetAccount).toHaveBeenCalledWith("http://other.local", "ben");
    expect(store.remembered).toEqual([keptAna]);
  });

  it("adds another account through the sign-in form, and can go back without signing in", async () => {
    const store = await signedInAsAna();
    store.addAccount();
    expect(store.adding).toBe(true);
    expect(store.signedIn).toBe(false);
    expect(store.current).toEqual(ana);
    expect(mocked.signOut).not.toHaveBeenCalled();
    store.cancelAdding();
    expect(store.signedIn).toBe(true);
    expect(store.adding).toBe(false);

    store.addAccount();
    mocked.signIn.mockResolvedValue({ step: "signed_in", session: ben });
    expect(await store.signIn("http://other.local", "ben", "pw", true)).toBe(true);
    expect(store.current).toEqual(ben);
    expect(store.adding).toBe(false);
  });

  it("relists after signing out, so the other kept accounts are offered", async () => {
    const store = await signedInAsAna();
    mocked.rememberedAccounts.mockResolvedValue([keptBen]);
    await store.signOut();
    expect(store.remembered).toEqual([keptBen]);
  });

  it("names a service by its host", () => {
    expect(serviceHost("https://music.example.com/")).toBe("music.example.com");
    expect(serviceHost("http://127.0.0.1:8080/api")).toBe("127.0.0.1:8080");
    expect(serviceHost("not a url")).toBe("not a url");
  });
});
