// @vitest-environment jsdom
import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

vi.mock("../../ipc", () => ({
  coverUrl: (albumId: string, version?: string | null) =>
    `cover://localhost/${albumId}${version ? `?v=${encodeURIComponent(version)}` : ""}`,
}));

import Cover from "./Cover.svelte";

describe("a cover", () => {
  it("falls back when its image fails, and a cover mounted later for that album does not ask again", async () => {
    const first = render(Cover, { albumId: "al-missing" });
    const image = first.container.querySelector("img");
    expect(image).not.toBeNull();
    await fireEvent.error(image as HTMLImageElement);
    expect(first.container.querySelector("img")).toBeNull();

    // A row scrolled into view later, for the same album: no request, straight to the fallback.
    const later = render(Cover, { albumId: "al-missing" });
    expect(later.container.querySelector("img")).toBeNull();
    const other = render(Cover, { albumId: "al-other" });
    expect(other.container.querySelector("img")).not.toBeNull();
  });

  it("asks afresh for a new version of a cover, even one that was missing", async () => {
    const before = render(Cover, { albumId: "ual-1", version: null });
    await fireEvent.error(before.container.querySelector("img") as HTMLImageElement);
    expect(before.container.querySelector("img")).toBeNull();

    // The listener gave the upload a cover: a new path at the service, a new image here.
    const after = render(Cover, { albumId: "ual-1", version: "/art/up-1-1.jpg" });
    const image = after.container.querySelector("img");
    expect(image?.getAttribute("src")).toBe("cover://localhost/ual-1?v=%2Fart%2Fup-1-1.jpg");
  });
});
