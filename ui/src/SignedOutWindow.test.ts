// @vitest-environment jsdom
// The window of a listener without an account, or signed out: "Play music on this computer"
// on the sign-in screen opens the main window with what the core serves without a session
// (Local files first, the playlists kept here, the queue, Settings, the search over those
// files) and nothing of an account's; "Sign in" goes back. The whole window (App) over a
// stand-in of the core signed out: every command it is asked refuses as the core does
// without a session, but those of the music on this computer and the window's own.
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi, type Mock } from "vitest";

/** Kept as they are: plain functions of the ipc module, no call to the core. */
const PURE = vi.hoisted(
  () => new Set(["toAppError", "isAppError", "isErrorKind", "windowLabel", "coverUrl", "initialAppearance", "onSessionEnded"]),
);

vi.mock("./ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("./ipc")>();
  return Object.fromEntries(
    Object.entries(real).map(([name, value]) => [name, typeof value === "function" && !PURE.has(name) ? vi.fn() : value]),
  );
});

import * as ipc from "./ipc";
import type { AppError } from "./ipc";
import { switchAccount } from "$lib/stores/app";
import App from "./App.svelte";
import { navigation } from "$lib/navigation";
import { sessionStore } from "$lib/stores/session.svelte";
import { searchStore, SEARCH_DEBOUNCE_MS } from "$lib/stores/search.svelte";
import { makeSession, makeSettings, makeSettingsView, makeStatus } from "./test/fixtures";
import { makeFolder, makeLocalAlbum, makeLocalTrack, makeLocalView } from "./test/local-files";
import { giveViewport } from "./test/viewport";

const mocked = vi.mocked(ipc);
const NOT_SIGNED_IN: AppError = { kind: "not_signed_in", message: "Sign in to see your library." };
const ON_THIS_COMPUTER_KEY = "strato.on-this-computer";
const tracks = [makeLocalTrack("Morning Kettle"), makeLocalTrack("Screen Door")];

/** The account's commands: never asked by the window signed out. */
const ACCOUNT_COMMANDS = ["playlists", "homeShelves", "homeFeed", "searchLibrary", "searchCatalog", "catalogTracks", "playHistory"] as const;

beforeEach(() => {
  vi.resetAllMocks();
  giveViewport();
  localStorage.clear();
  sessionStore.phase = "checking";
  sessionStore.current = null;
  sessionStore.onThisComputer = false;
  sessionStore.adding = false;
  sessionStore.error = null;
  sessionStore.view = { name: "sign_in" };
  // The core without a session: events can be listened to, the rest refuses...
  for (const [name, value] of Object.entries(mocked)) {
    if (!vi.isMockFunction(value)) continue;
    const command = value as Mock<(...args: unknown[]) => Promise<unknown>>;
    if (name.startsWith("on")) command.mockResolvedValue(() => {});
    else command.mockRejectedValue({ ...NOT_SIGNED_IN, message: `${name}: ${NOT_SIGNED_IN.message}` });
  }
  // ...but what the sign-in screen asks, the window's own, and the music on this computer.
  mocked.defaultServiceUrl.mockResolvedValue("http://music.local");
  mocked.serviceTrust.mockResolvedValue({ allow_insecure: false });
  mocked.staySignedIn.mockResolvedValue({ available: true, reason: null });
  mocked.restoreSession.mockResolvedValue(null);
  mocked.rememberedAccounts.mockResolvedValue([]);
  mocked.setDesktopWords.mockResolvedValue(undefined);
  mocked.settings.mockResolvedValue(makeSettingsView(makeSettings()));
  mocked.dataFolder.mockResolvedValue({ path: "/home/ana/.local/share/strato", is_default: true });
  mocked.playerStatus.mockResolvedValue(makeStatus());
  mocked.runLaunches.mockResolvedValue([]);
  mocked.localFiles.mockResolvedValue(makeLocalView({ folders: [makeFolder("/home/ana/Music", { tracks: 2 })], tracks: 2 }));
  mocked.localTracks.mockResolvedValue(tracks);
  mocked.localAlbums.mockResolvedValue([makeLocalAlbum({ track_count: 2 })]);
  mocked.localPlaylists.mockResolvedValue([]);
  mocked.localSearch.mockResolvedValue({ tracks: [tracks[1]], albums: [], artists: [] });
  mocked.playQueue.mockResolvedValue(undefined);
});

/** The window at start, the core keeping no session: the sign-in screen's "Play music on this computer". */
async function playOnThisComputer() {
  render(App);
  await fireEvent.click(await screen.findByTestId("play-on-this-computer"));
  await screen.findByTestId("local-files-screen");
}

function navShown(): string[] {
  return within(screen.getByRole("navigation", { name: "Browse" }))
    .getAllByRole("link")
    .map((link) => link.dataset.testid ?? "");
}

describe("the window signed out", () => {
  it("opens from the sign-in screen at Local files, with only what needs no account", async () => {
    render(App);
    const action = await screen.findByTestId("play-on-this-computer");
    expect(action.textContent?.trim()).toBe("Play music on this computer");
    expect(screen.getByTestId("sign-in")).toBeTruthy();
    await fireEvent.click(action);

    await screen.findByTestId("local-files-screen");
    expect(document.querySelector("main")?.dataset.route).toBe("local-files");
    await vi.waitFor(() => expect(screen.getAllByTestId("local-track-row")).toHaveLength(2));
    // Local files alone among the screens; the playlists kept here, not an account's.
    expect(navShown()).toEqual(["nav-local-files"]);
    expect(document.getElementById("playlists-heading")).toBeNull();
    expect(screen.queryByTestId("new-playlist")).toBeNull();
    expect(document.getElementById("local-playlists-heading")?.textContent).toContain("On this computer");
    // No account menu: that there is none, and the way to one.
    expect(screen.queryByTestId("account-menu")).toBeNull();
    expect(screen.queryByTestId("sign-out")).toBeNull();
    const footer = screen.getByTestId("signed-out-footer");
    expect(footer.textContent).toContain("Not signed in");
    expect(within(footer).getByTestId("sidebar-sign-in").textContent?.trim()).toBe("Sign in");
    // The player is there; nothing of the service's (devices, stars).
    expect(screen.getByTestId("play-pause")).toBeTruthy();
    expect(screen.queryByTestId("devices-toggle")).toBeNull();
    for (const command of ACCOUNT_COMMANDS) expect(mocked[command], command).not.toHaveBeenCalled();
    // Remembered for the next start (a flag of the window's, no secret).
    expect(localStorage.getItem(ON_THIS_COMPUTER_KEY)).toBe("1");
  });

  it("searches only the files on this computer", async () => {
    await playOnThisComputer();
    const box = screen.getByTestId<HTMLInputElement>("search-input");
    expect(box.placeholder).toBe("Search the music on this computer");

    await fireEvent.input(box, { target: { value: "screen" } });
    const found = await screen.findByTestId("search-local-files", {}, { timeout: SEARCH_DEBOUNCE_MS + 2000 });
    expect(within(found).getByText("Screen Door")).toBeTruthy();
    expect(mocked.localSearch).toHaveBeenCalledWith("screen", expect.any(Number));
    expect(mocked.searchLibrary).not.toHaveBeenCalled();
    expect(mocked.searchCatalog).not.toHaveBeenCalled();
    // Neither "Searching the catalog…" nor its failure: there is none to ask.
    expect(screen.getByTestId("search-status").textContent?.trim()).toBe("");
    expect(screen.queryByTestId("search-error")).toBeNull();
  });

  it("opens Settings, which offers Local files' folders and signing in", async () => {
    await playOnThisComputer();
    await fireEvent.click(screen.getByTestId("open-settings"));
    await screen.findByTestId("settings-local-files");
    expect(screen.getByTestId("settings-account-none").textContent).toContain("Not signed in");
    expect(screen.queryByTestId("settings-sign-out")).toBeNull();
    expect(screen.queryByTestId("settings-add-account")).toBeNull();

    await fireEvent.click(screen.getByTestId("settings-sign-in"));
    await screen.findByTestId("play-on-this-computer");
  });

  it("shows an account's screen reached anyway as needing one", async () => {
    await playOnThisComputer();
    // A page walked to another way (a link handed to the app): never asked of the core.
    navigation.go({ kind: "home" });
    const needed = await screen.findByTestId("account-needed");
    expect(needed.textContent).toContain("This needs an account");
    expect(mocked.homeFeed).not.toHaveBeenCalled();

    await fireEvent.click(within(needed).getByTestId("account-needed-local-files"));
    await screen.findByTestId("local-files-screen");
    navigation.go({ kind: "playlist", id: "pl-1" });
    await screen.findByTestId("account-needed");
    navigation.go({ kind: "catalog" });
    await screen.findByTestId("account-needed");
    expect(mocked.playlist).not.toHaveBeenCalled();
    expect(mocked.catalogTracks).not.toHaveBeenCalled();
    await fireEvent.click(within(await screen.findByTestId("account-needed")).getByTestId("account-needed-sign-in"));
    await screen.findByTestId("play-on-this-computer");
  });

  it("goes back to the sign-in screen with Sign in, which offers the way back", async () => {
    await playOnThisComputer();
    await fireEvent.click(screen.getByTestId("sidebar-sign-in"));

    await screen.findByTestId("sign-in");
    expect(screen.queryByTestId("local-files-screen")).toBeNull();
    expect(localStorage.getItem(ON_THIS_COMPUTER_KEY)).toBeNull();
    expect(searchStore.onlyThisComputer).toBe(false);
    await fireEvent.click(screen.getByTestId("play-on-this-computer"));
    await screen.findByTestId("local-files-screen");
  });

  it("opens there again at the next start, until the listener goes to sign in", async () => {
    localStorage.setItem(ON_THIS_COMPUTER_KEY, "1");
    render(App);
    await screen.findByTestId("local-files-screen");
    expect(screen.queryByTestId("sign-in")).toBeNull();
  });

  it("is the signed-in window once signed in from it, Home first, the choice forgotten", async () => {
    await playOnThisComputer();
    await fireEvent.click(screen.getByTestId("sidebar-sign-in"));
    const ana = makeSession("http://music.local", "ana");
    mocked.signIn.mockResolvedValue({ step: "signed_in", session: ana });
    await fireEvent.input(screen.getByTestId("username"), { target: { value: "ana" } });
    await fireEvent.input(screen.getByTestId("password"), { target: { value: "secret" } });
    await fireEvent.click(screen.getByTestId("sign-in"));

    await screen.findByTestId("account-menu");
    expect(document.querySelector("main")?.dataset.route).toBe("home");
    expect(screen.queryByTestId("signed-out-footer")).toBeNull();
    expect(navShown()).toContain("nav-home");
    expect(sessionStore.onThisComputer).toBe(false);
    expect(localStorage.getItem(ON_THIS_COMPUTER_KEY)).toBeNull();
  });
});

describe("switching to a kept account from the window without one", () => {
  it("makes the signed-in window anew, with the account's pages", async () => {
    await playOnThisComputer();
    const ana = makeSession("http://music.local", "ana");
    mocked.switchAccount.mockResolvedValue(ana);
    mocked.playlists.mockResolvedValue([]);
    expect(await switchAccount({ service_url: ana.service_url, username: ana.username })).toBe(true);

    await screen.findByTestId("account-menu");
    expect(navShown()).toContain("nav-home");
    expect(screen.queryByTestId("signed-out-footer")).toBeNull();
    expect(searchStore.onlyThisComputer).toBe(false);
    // The account's library is read, as at any sign-in.
    await vi.waitFor(() => expect(mocked.playlists).toHaveBeenCalled());
  });
});

describe("signing out", () => {
  it("lands on the sign-in screen, with the way to the music on this computer", async () => {
    mocked.restoreSession.mockResolvedValue(makeSession("http://music.local", "ana"));
    mocked.signOut.mockResolvedValue(undefined);
    localStorage.setItem(ON_THIS_COMPUTER_KEY, "1");
    render(App);
    // A kept session wins over the choice, which it forgets.
    await fireEvent.click(await screen.findByTestId("sign-out"));

    await screen.findByTestId("sign-in");
    expect(screen.getByTestId("play-on-this-computer")).toBeTruthy();
    expect(localStorage.getItem(ON_THIS_COMPUTER_KEY)).toBeNull();
  });
});
