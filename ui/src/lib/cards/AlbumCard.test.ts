// @vitest-environment jsdom
import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { Album } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  coverUrl: (albumId: string, version?: string | null) => `cover://localhost/${albumId}${version ? `?v=${version}` : ""}`,
}));

import AlbumCard from "./AlbumCard.svelte";

const album = (cover_path: string | null): Album => ({
  id: "local-album:0a1b",
  title: "Porch Tapes",
  artist_id: "local-artist:2c3d",
  artist_name: "The Lamplighters",
  year: 2024,
  track_count: 3,
  gapless: false,
  cover_path,
});

describe("an album's card", () => {
  it("asks for its cover afresh once it has a new version, though the last was missing", async () => {
    const { container, rerender } = render(AlbumCard, { album: album(null) });
    const img = container.querySelector("img");
    expect(img?.getAttribute("src")).toBe("cover://localhost/local-album:0a1b");
    // No cover yet: the fallback, and the miss remembered for this version.
    await fireEvent.error(img as HTMLImageElement);
    expect(container.querySelector("img")).toBeNull();
    await rerender({ album: album(null) });
    expect(container.querySelector("img")).toBeNull();

    // A cover.jpg added and scanned: a new version, asked for at once.
    await rerender({ album: album("file:///music/Porch%20Tapes/01.flac") });
    expect(container.querySelector("img")?.getAttribute("src")).toBe(
      "cover://localhost/local-album:0a1b?v=file:///music/Porch%20Tapes/01.flac",
    );
  });
});
