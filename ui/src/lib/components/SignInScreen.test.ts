// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  signIn: vi.fn(),
}));

import * as ipc from "../../ipc";
import { sessionStore } from "$lib/stores/session.svelte";
import SignInScreen from "./SignInScreen.svelte";

const signIn = vi.mocked(ipc.signIn);

beforeEach(() => {
  signIn.mockReset();
  sessionStore.phase = "signed_out";
  sessionStore.error = null;
});

describe("SignInScreen", () => {
  it("shows the backend's message when sign-in is rejected", async () => {
    signIn.mockRejectedValue({ kind: "auth", message: "Wrong username or password" });
    render(SignInScreen);

    await fireEvent.input(screen.getByTestId("service-url"), { target: { value: "http://music.local" } });
    await fireEvent.input(screen.getByTestId("username"), { target: { value: "ana" } });
    await fireEvent.input(screen.getByTestId("password"), { target: { value: "nope" } });
    await fireEvent.click(screen.getByTestId("sign-in"));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent?.trim()).toBe("Wrong username or password");
    expect(alert.dataset.testid).toBe("sign-in-error");
    expect(signIn).toHaveBeenCalledWith("http://music.local", "ana", "nope");
    expect((screen.getByTestId("sign-in") as HTMLButtonElement).disabled).toBe(false);
  });

  it("disables the button while signing in", async () => {
    signIn.mockReturnValue(new Promise(() => {}));
    render(SignInScreen);

    await fireEvent.input(screen.getByTestId("username"), { target: { value: "ana" } });
    await fireEvent.submit(screen.getByTestId("password").closest("form")!);

    const button = screen.getByTestId("sign-in") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toContain("Signing in…");
  });
});
