// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { makeSession } from "../../../test/fixtures";
import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  rememberedAccounts: vi.fn(),
  switchAccount: vi.fn(),
  forgetAccount: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { sessionStore } from "$lib/stores/session.svelte";
import AccountSettings from "./AccountSettings.svelte";

const mocked = vi.mocked(ipc);
const HERE = "https://music.example.com";

beforeEach(() => {
  vi.resetAllMocks();
  sessionStore.current = makeSession(HERE, "ana");
  sessionStore.phase = "signed_in";
  sessionStore.error = null;
  mocked.rememberedAccounts.mockResolvedValue([
    { service_url: HERE, username: "ana", current: true },
    { service_url: HERE, username: "ben", current: false },
  ]);
});

describe("AccountSettings", () => {
  it("says who is signed in, and lists the other accounts kept here", async () => {
    render(AccountSettings);
    expect(screen.getByTestId("settings-account-current").textContent?.trim()).toBe("ana on music.example.com");
    const others = await screen.findAllByTestId("settings-other-account");
    expect(others.map((row) => row.querySelector(".name")?.textContent)).toEqual(["ben on music.example.com"]);
  });

  it("switches to another account and forgets one", async () => {
    mocked.switchAccount.mockResolvedValue(makeSession(HERE, "ben"));
    render(AccountSettings);
    const [row] = await screen.findAllByTestId("settings-other-account");
    await fireEvent.click(row.querySelectorAll("button")[0]);
    expect(mocked.switchAccount).toHaveBeenCalledWith(HERE, "ben");
    await vi.waitFor(() => expect(sessionStore.current?.username).toBe("ben"));

    mocked.rememberedAccounts.mockResolvedValue([{ service_url: HERE, username: "ben", current: true }]);
    sessionStore.remembered = [
      { service_url: HERE, username: "ben", current: true },
      { service_url: HERE, username: "ana", current: false },
    ];
    const forget = await screen.findByRole("button", { name: "Forget ana on music.example.com" });
    await fireEvent.click(forget);
    expect(mocked.forgetAccount).toHaveBeenCalledWith(HERE, "ana");
    await vi.waitFor(() => expect(screen.queryAllByTestId("settings-other-account")).toHaveLength(0));
  });
});
