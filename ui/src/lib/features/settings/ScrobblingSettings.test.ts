// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ScrobblingView } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  scrobbling: vi.fn(),
  connectListenbrainz: vi.fn(),
  disconnectListenbrainz: vi.fn(),
}));

import * as ipc from "../../../ipc";
import ScrobblingSettings from "./ScrobblingSettings.svelte";

const mocked = vi.mocked(ipc);

function viewOf(overrides: Partial<ScrobblingView> = {}): ScrobblingView {
  return { listenbrainz_user: null, server_scrobbles: false, pending: 0, last_error: null, ...overrides };
}

beforeEach(() => {
  vi.resetAllMocks();
});

describe("ScrobblingSettings", () => {
  it("connects ListenBrainz with the token typed, then says as whom, and disconnects", async () => {
    mocked.scrobbling.mockResolvedValue(viewOf());
    render(ScrobblingSettings);
    const field = (await screen.findByTestId("listenbrainz-token")) as HTMLInputElement;
    const connect = screen.getByTestId("listenbrainz-connect") as HTMLButtonElement;
    expect(connect.disabled).toBe(true);
    expect(field.type).toBe("password");

    mocked.connectListenbrainz.mockResolvedValueOnce(viewOf({ listenbrainz_user: "rob", pending: 2 }));
    await fireEvent.input(field, { target: { value: "a-token" } });
    await fireEvent.click(connect);
    expect(mocked.connectListenbrainz).toHaveBeenCalledWith("a-token");
    expect((await screen.findByTestId("listenbrainz-user")).textContent).toBe("Connected as rob");
    expect(screen.getByTestId("scrobbling-pending").textContent).toBe("2 listens waiting to be sent");
    expect(screen.queryByTestId("listenbrainz-token")).toBeNull();

    mocked.disconnectListenbrainz.mockResolvedValueOnce(viewOf());
    await fireEvent.click(screen.getByTestId("listenbrainz-disconnect"));
    expect(await screen.findByTestId("listenbrainz-token")).toBeTruthy();
    expect(screen.queryByTestId("listenbrainz-user")).toBeNull();
  });

  it("says in words why a token was refused, and keeps the field to try again", async () => {
    mocked.scrobbling.mockResolvedValue(viewOf());
    render(ScrobblingSettings);
    const field = (await screen.findByTestId("listenbrainz-token")) as HTMLInputElement;
    mocked.connectListenbrainz.mockRejectedValueOnce({
      kind: "invalid_input",
      message: "ListenBrainz did not accept this user token. Copy it again from your ListenBrainz settings page.",
    });
    await fireEvent.input(field, { target: { value: "wrong" } });
    await fireEvent.click(screen.getByTestId("listenbrainz-connect"));
    expect((await screen.findByTestId("scrobbling-error")).textContent).toContain("did not accept this user token");
    expect(screen.getByTestId("listenbrainz-token")).toBeTruthy();
    expect(screen.queryByTestId("listenbrainz-user")).toBeNull();
  });

  it("says a Subsonic account's plays go to its server, and one listen waiting in the singular", async () => {
    mocked.scrobbling.mockResolvedValue(viewOf({ server_scrobbles: true, pending: 1 }));
    render(ScrobblingSettings);
    expect((await screen.findByTestId("scrobbling-server")).textContent).toBe("What you play is also reported to your server.");
    expect(screen.getByTestId("scrobbling-pending").textContent).toBe("1 listen waiting to be sent");
  });
});
