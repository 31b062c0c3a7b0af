// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  rememberedAccounts: vi.fn(),
  switchAccount: vi.fn(),
  signOut: vi.fn(),
  catalogTracks: vi.fn(),
}));

import * as ipc from "../../ipc";
import type { RememberedAccount } from "../../ipc";
import { catalogStore } from "$lib/stores/catalog.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import Sidebar from "./Sidebar.svelte";

const mocked = vi.mocked(ipc);
const ana = { service_url: "http://music.local", username: "ana" };
const ben = { service_url: "https://other.example.com/", username: "ben" };
const kept: RememberedAccount[] = [
  { ...ana, current: true },
  { ...ben, current: false },
];

beforeEach(() => {
  vi.resetAllMocks();
  sessionStore.phase = "signed_in";
  sessionStore.current = ana;
  sessionStore.adding = false;
  sessionStore.error = null;
  sessionStore.remembered = kept;
  mocked.rememberedAccounts.mockResolvedValue(kept);
  mocked.catalogTracks.mockResolvedValue({ items: [], next_cursor: null });
});

describe("Sidebar account menu", () => {
  it("shows the username and keeps sign-out at hand with the menu closed", () => {
    render(Sidebar);
    expect(screen.getByTestId("username-label").textContent).toBe("ana");
    expect(screen.getByTestId("sign-out")).toBeTruthy();
    expect(screen.getByTestId("account-menu").getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByTestId("remembered-account")).toBeNull();
  });

  it("lists the other kept accounts and switches to one, reloading the catalog", async () => {
    mocked.switchAccount.mockResolvedValue(ben);
    render(Sidebar);

    await fireEvent.click(screen.getByTestId("account-menu"));
    const entries = screen.getAllByTestId("remembered-account");
    expect(entries).toHaveLength(1);
    expect(entries[0].textContent).toContain("ben");
    expect(entries[0].textContent).toContain("other.example.com");
    await fireEvent.click(screen.getByTestId("switch-account"));

    await vi.waitFor(() => expect(sessionStore.current).toEqual(ben));
    expect(mocked.switchAccount).toHaveBeenCalledWith("https://other.example.com/", "ben");
    expect(sessionStore.signedIn).toBe(true);
    await vi.waitFor(() => expect(mocked.catalogTracks).toHaveBeenCalledWith(null));
    await vi.waitFor(() => expect(screen.queryByTestId("remembered-account")).toBeNull());
  });

  it("says why a switch failed and stays on the current account", async () => {
    mocked.switchAccount.mockRejectedValue({ kind: "network", message: "The service cannot be reached." });
    render(Sidebar);

    await fireEvent.click(screen.getByTestId("account-menu"));
    await fireEvent.click(screen.getByTestId("switch-account"));

    expect((await screen.findByRole("alert")).textContent).toBe("The service cannot be reached.");
    expect(sessionStore.current).toEqual(ana);
    expect(sessionStore.signedIn).toBe(true);
  });

  it("goes to the sign-in form to add another account without signing out", async () => {
    catalogStore.tracks = [];
    render(Sidebar);

    await fireEvent.click(screen.getByTestId("account-menu"));
    await fireEvent.click(screen.getByTestId("add-account"));

    expect(sessionStore.adding).toBe(true);
    expect(sessionStore.signedIn).toBe(false);
    expect(sessionStore.current).toEqual(ana);
    expect(mocked.signOut).not.toHaveBeenCalled();
  });
});
