// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SettingsView } from "../../../ipc";
import { makeSettings, makeSettingsView } from "../../../test/fixtures";
import { localeStore } from "$lib/i18n";
import { navigation } from "$lib/navigation";
import SettingsProblem from "./SettingsProblem.svelte";
import { settingsStore } from "./settings.svelte";

function withNotice(message: string | null): SettingsView {
  return makeSettingsView(makeSettings(), { notice: message === null ? null : { kind: "storage", message } });
}

beforeEach(() => {
  settingsStore.reset();
  navigation.reset();
});

afterEach(() => localeStore.use(null));

describe("SettingsProblem", () => {
  it("says a failed save wherever the listener is, and opens Settings", async () => {
    settingsStore.view = withNotice("Your settings could not be saved: the disk is full.");
    render(SettingsProblem);
    expect(screen.getByTestId("settings-problem-words").textContent).toBe("Your settings could not be saved: the disk is full.");
    await fireEvent.click(screen.getByTestId("settings-problem-open"));
    expect(navigation.route.kind).toBe("settings");
    // The Settings screen says it in its own place.
    await vi.waitFor(() => expect(screen.queryByTestId("settings-problem")).toBeNull());
  });

  it("stays dismissed until the problem changes, and goes once it is solved", async () => {
    settingsStore.view = withNotice("Could not be saved (disk full).");
    render(SettingsProblem);
    await fireEvent.click(screen.getByTestId("settings-problem-dismiss"));
    await vi.waitFor(() => expect(screen.queryByTestId("settings-problem")).toBeNull());
    settingsStore.view = withNotice("Could not be saved (read-only folder).");
    await vi.waitFor(() => expect(screen.getByTestId("settings-problem-words").textContent).toContain("read-only"));
    settingsStore.view = withNotice(null);
    await vi.waitFor(() => expect(screen.queryByTestId("settings-problem")).toBeNull());
  });

  it("words the problem in the window's language", async () => {
    localeStore.use("de");
    settingsStore.view = withNotice("Your settings could not be saved.");
    render(SettingsProblem);
    expect(screen.getByTestId("settings-problem-words").textContent).toBe(
      "Strato konnte seine Dateien auf diesem Computer nicht lesen oder schreiben.",
    );
    expect(screen.getByTestId("settings-problem-open").textContent?.trim()).toBe("Einstellungen öffnen");
  });
});
