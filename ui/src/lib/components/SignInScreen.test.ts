// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { makeSession } from "../../test/fixtures";
import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  signIn: vi.fn(),
  signInWithApiKey: vi.fn(),
  answerChallenge: vi.fn(),
  signUp: vi.fn(),
  confirmSignUp: vi.fn(),
  forgotPassword: vi.fn(),
  confirmForgotPassword: vi.fn(),
  rememberedAccounts: vi.fn(),
  switchAccount: vi.fn(),
  forgetAccount: vi.fn(),
  catalogTracks: vi.fn(),
}));

import * as ipc from "../../ipc";
import { sessionStore } from "$lib/stores/session.svelte";
import SignInScreen from "./SignInScreen.svelte";

const mocked = vi.mocked(ipc);
const signIn = mocked.signIn;
const ana = makeSession("http://music.local", "ana");

function input(testid: string, value: string) {
  return fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

beforeEach(() => {
  vi.resetAllMocks();
  sessionStore.phase = "signed_out";
  sessionStore.error = null;
  sessionStore.notice = null;
  sessionStore.view = { name: "sign_in" };
  sessionStore.staySignedIn = { available: true, reason: null };
  sessionStore.remembered = [];
  sessionStore.adding = false;
  sessionStore.current = null;
  sessionStore.insecureServices = false;
  mocked.rememberedAccounts.mockResolvedValue([]);
  mocked.catalogTracks.mockReturnValue(new Promise(() => {}));
});

describe("SignInScreen", () => {
  it("shows the backend's message when sign-in is rejected", async () => {
    signIn.mockRejectedValue({ kind: "auth", message: "Wrong username or password" });
    render(SignInScreen);

    await input("service-url", "http://music.local");
    await input("username", "ana");
    await input("password", "nope");
    await fireEvent.click(screen.getByTestId("sign-in"));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent?.trim()).toBe("Wrong username or password");
    expect(alert.dataset.testid).toBe("sign-in-error");
    expect(signIn).toHaveBeenCalledWith("http://music.local", "ana", "nope", false);
    expect((screen.getByTestId("sign-in") as HTMLButtonElement).disabled).toBe(false);
  });

  it("disables the button while signing in", async () => {
    signIn.mockReturnValue(new Promise(() => {}));
    render(SignInScreen);

    await input("username", "ana");
    await fireEvent.submit(screen.getByTestId("password").closest("form")!);

    const button = screen.getByTestId("sign-in") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toContain("Signing in…");
  });

  it("asks to stay signed in when the box is ticked", async () => {
    signIn.mockResolvedValue({ step: "signed_in", session: ana });
    render(SignInScreen);

    const stay = screen.getByRole("checkbox", { name: "Stay signed in" }) as HTMLInputElement;
    expect(stay.dataset.testid).toBe("stay-signed-in");
    await fireEvent.click(stay);
    await input("username", "ana");
    await input("password", "pw");
    await fireEvent.click(screen.getByTestId("sign-in"));

    expect(signIn).toHaveBeenCalledWith(expect.any(String), "ana", "pw", true);
    expect(sessionStore.signedIn).toBe(true);
  });

  it("disables 'stay signed in' and says why when there is no keychain", () => {
    sessionStore.staySignedIn = { available: false, reason: "No system keychain was found." };
    render(SignInScreen);

    const stay = screen.getByTestId("stay-signed-in") as HTMLInputElement;
    expect(stay.disabled).toBe(true);
    const reason = screen.getByTestId("stay-signed-in-reason");
    expect(reason.textContent).toBe("No system keychain was found.");
    expect(stay.getAttribute("aria-describedby")).toBe(reason.id);
  });

  it("asks for a new password with the rules, then for a code, then signs in", async () => {
    signIn.mockResolvedValue({
      step: "challenge",
      challenge: { id: "c1", kind: { kind: "new_password" }, prompt: "To sign in, choose a new password." },
    });
    mocked.answerChallenge
      .mockResolvedValueOnce({
        step: "challenge",
        challenge: {
          id: "c2",
          kind: { kind: "authenticator_code" },
          prompt: "To sign in, enter the code from your authenticator app.",
        },
      })
      .mockResolvedValueOnce({ step: "signed_in", session: ana });
    render(SignInScreen);

    await input("username", "ana");
    await input("password", "Temp-pass-1");
    await fireEvent.click(screen.getByTestId("sign-in"));

    expect((await screen.findByTestId("challenge-prompt")).textContent).toBe("To sign in, choose a new password.");
    const newPassword = screen.getByLabelText("New password");
    expect(newPassword.dataset.testid).toBe("new-password");
    expect(document.activeElement).toBe(newPassword);
    await input("new-password", "short");
    expect(screen.getByTestId("password-rules").textContent).toContain("At least 8 characters (needed)");
    await input("new-password", "Brand-New-Pass-456");
    expect(screen.getByTestId("password-rules").textContent).not.toContain("(needed)");
    await fireEvent.click(screen.getByTestId("answer-challenge"));
    expect(mocked.answerChallenge).toHaveBeenLastCalledWith("c1", "Brand-New-Pass-456");

    const code = await screen.findByLabelText("6-digit code");
    expect(code.dataset.testid).toBe("challenge-code");
    expect((code as HTMLInputElement).value).toBe("");
    await input("challenge-code", "123456");
    await fireEvent.click(screen.getByTestId("answer-challenge"));
    expect(mocked.answerChallenge).toHaveBeenLastCalledWith("c2", "123456");
    await vi.waitFor(() => expect(sessionStore.signedIn).toBe(true));
  });

  it("creates an account: details, then the code, then signed in", async () => {
    mocked.signUp.mockResolvedValue({ confirmed: false, delivery: { destination: "a***@e***", medium: "EMAIL" } });
    mocked.confirmSignUp.mockResolvedValue(undefined);
    signIn.mockResolvedValue({ step: "signed_in", session: ana });
    render(SignInScreen);

    await fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByTestId("account-title").textContent).toBe("Create an account");
    await input("username", "ana");
    await input("email", "ana@example.com");
    await input("new-password", "Fresh-Pass-123");
    await fireEvent.click(screen.getByTestId("sign-up"));
    expect(mocked.signUp).toHaveBeenCalledWith(expect.any(String), "ana", "Fresh-Pass-123", "ana@example.com");

    expect((await screen.findByRole("status")).textContent).toBe("We sent a code to a***@e***.");
    await input("confirm-code", "123456");
    await fireEvent.click(screen.getByTestId("confirm-sign-up"));
    expect(mocked.confirmSignUp).toHaveBeenCalledWith(expect.any(String), "ana", "123456");
    expect(signIn).toHaveBeenCalledWith(expect.any(String), "ana", "Fresh-Pass-123", false);
    await vi.waitFor(() => expect(sessionStore.signedIn).toBe(true));
  });

  it("resets a forgotten password and can go back to sign-in", async () => {
    mocked.forgotPassword.mockResolvedValue({ destination: null, medium: "EMAIL" });
    mocked.confirmForgotPassword.mockRejectedValue({
      kind: "invalid_input",
      message: "That code is wrong or has expired.",
    });
    render(SignInScreen);

    await fireEvent.click(screen.getByTestId("forgot-password"));
    await input("username", "ana");
    await fireEvent.click(screen.getByTestId("request-reset"));
    expect(mocked.forgotPassword).toHaveBeenCalledWith(expect.any(String), "ana");

    await screen.findByTestId("reset-code");
    await input("reset-code", "000000");
    await input("new-password", "New-Pass-456");
    await fireEvent.click(screen.getByTestId("reset-password"));
    expect((await screen.findByRole("alert")).textContent?.trim()).toBe("That code is wrong or has expired.");

    await fireEvent.click(screen.getByTestId("back-to-sign-in"));
    expect(screen.getByTestId("account-title").textContent).toBe("Sign in");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("SignInScreen API key", () => {
  it("swaps the name and password for one API key field, labelled and hidden as typed", async () => {
    render(SignInScreen);
    const toggle = screen.getByRole("button", { name: "Use an API key" });
    expect(toggle.dataset.testid).toBe("use-api-key");

    await fireEvent.click(toggle);
    expect(screen.queryByTestId("username")).toBeNull();
    expect(screen.queryByTestId("password")).toBeNull();
    const key = screen.getByLabelText("API key") as HTMLInputElement;
    expect(key.dataset.testid).toBe("api-key");
    expect(key.type).toBe("password");
    expect(key.getAttribute("aria-describedby")).toBe("api-key-hint");
    expect(screen.getByText(/in your server's settings/).id).toBe("api-key-hint");
    // Nothing of the Strato cloud's account screens for a key made on a server.
    expect(screen.queryByTestId("forgot-password")).toBeNull();
    expect(screen.queryByTestId("create-account")).toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "Use a name and password" }));
    expect(screen.getByTestId("username")).toBeTruthy();
    expect(screen.queryByTestId("api-key")).toBeNull();
  });

  it("signs in with the address and the key alone, kept when asked", async () => {
    mocked.signInWithApiKey.mockResolvedValue(makeSession("http://music.local/rest/", "ana", { kind: "open_subsonic" }));
    render(SignInScreen);

    await input("service-url", " http://music.local/rest ");
    await fireEvent.click(screen.getByTestId("use-api-key"));
    await input("api-key", " k-123 ");
    await fireEvent.click(screen.getByTestId("stay-signed-in"));
    await fireEvent.click(screen.getByTestId("sign-in"));

    expect(mocked.signInWithApiKey).toHaveBeenCalledWith("http://music.local/rest", "k-123", true);
    expect(signIn).not.toHaveBeenCalled();
    expect(sessionStore.signedIn).toBe(true);
    expect(sessionStore.current?.username).toBe("ana");
  });

  it("says a server that takes no keys in the backend's words, and the field stays", async () => {
    mocked.signInWithApiKey.mockRejectedValue({
      kind: "auth",
      message: "This server does not accept API keys; sign in with your name and password.",
    });
    render(SignInScreen);

    await fireEvent.click(screen.getByTestId("use-api-key"));
    await input("api-key", "k-123");
    await fireEvent.click(screen.getByTestId("sign-in"));

    expect((await screen.findByRole("alert")).textContent?.trim()).toBe(
      "This server does not accept API keys; sign in with your name and password.",
    );
    expect(sessionStore.signedIn).toBe(false);
    expect((screen.getByTestId("api-key") as HTMLInputElement).value).toBe("k-123");
  });
});

describe("SignInScreen trust", () => {
  it("names the host it is about to trust, as the address is typed", async () => {
    render(SignInScreen);

    await input("service-url", "https://music.example.com/api");
    expect(screen.getByTestId("service-host").textContent).toBe("Signing in to music.example.com");
    await input("service-url", "https://music.example.com.evil.test");
    expect(screen.getByTestId("service-host").textContent).toBe("Signing in to music.example.com.evil.test");
    await input("service-url", "music");
    expect(screen.queryByTestId("service-host")).toBeNull();

    await input("service-url", "https://other.example.com:8443");
    await fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByTestId("service-host").textContent).toBe("Creating an account on other.example.com:8443");
  });

  it("warns while the developer setting lets any address in, and not otherwise", async () => {
    const { unmount } = render(SignInScreen);
    expect(screen.queryByTestId("insecure-services-warning")).toBeNull();
    unmount();

    sessionStore.insecureServices = true;
    render(SignInScreen);
    const warning = screen.getByRole("note");
    expect(warning.dataset.testid).toBe("insecure-services-warning");
    expect(warning.textContent).toContain("accepts any service address, even without https");
  });

  it("shows a refused address in the backend's words", async () => {
    signIn.mockRejectedValue({
      kind: "invalid_input",
      message: "Strato signs in only over a secure connection: use https://music.example.com",
    });
    render(SignInScreen);

    await input("service-url", "http://music.example.com");
    await input("username", "ana");
    await input("password", "pw");
    await fireEvent.click(screen.getByTestId("sign-in"));

    expect((await screen.findByRole("alert")).textContent?.trim()).toBe(
      "Strato signs in only over a secure connection: use https://music.example.com",
    );
  });
});

describe("SignInScreen kept accounts", () => {
  const ben = { service_url: "https://other.example.com/", username: "ben", current: false };

  it("continues as a kept account in one click", async () => {
    sessionStore.remembered = [ben];
    mocked.switchAccount.mockResolvedValue(makeSession(ben.service_url, "ben"));
    render(SignInScreen);

    const entry = screen.getByTestId("remembered-account");
    expect(entry.textContent).toContain("Continue as ben");
    expect(entry.textContent).toContain("on other.example.com");
    await fireEvent.click(screen.getByTestId("switch-account"));

    await vi.waitFor(() => expect(sessionStore.signedIn).toBe(true));
    expect(mocked.switchAccount).toHaveBeenCalledWith("https://other.example.com/", "ben");
    expect(sessionStore.current?.username).toBe("ben");
  });

  it("forgets a kept account", async () => {
    sessionStore.remembered = [ben];
    mocked.rememberedAccounts.mockResolvedValue([]);
    render(SignInScreen);

    await fireEvent.click(screen.getByRole("button", { name: "Forget ben on other.example.com" }));

    expect(mocked.forgetAccount).toHaveBeenCalledWith("https://other.example.com/", "ben");
    await vi.waitFor(() => expect(screen.queryByTestId("remembered-account")).toBeNull());
  });

  it("shows the reason when a kept account cannot be resumed", async () => {
    sessionStore.remembered = [ben];
    mocked.switchAccount.mockRejectedValue({ kind: "network", message: "The service cannot be reached." });
    mocked.rememberedAccounts.mockResolvedValue([ben]);
    render(SignInScreen);

    await fireEvent.click(screen.getByTestId("switch-account"));

    expect((await screen.findByRole("alert")).textContent?.trim()).toBe("The service cannot be reached.");
    expect(sessionStore.signedIn).toBe(false);
  });

  it("lists only the other accounts while adding one, with a way back", async () => {
    sessionStore.current = makeSession("http://music.local", "ana");
    sessionStore.adding = true;
    sessionStore.remembered = [{ service_url: "http://music.local", username: "ana", current: true }, ben];
    render(SignInScreen);

    expect(screen.getAllByTestId("remembered-account")).toHaveLength(1);
    const back = screen.getByTestId("cancel-add-account");
    expect(back.textContent).toBe("Back to ana");
    await fireEvent.click(back);
    expect(sessionStore.signedIn).toBe(true);
    expect(sessionStore.adding).toBe(false);
  });
});
