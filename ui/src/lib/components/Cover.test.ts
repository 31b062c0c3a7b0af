// @vitest-environment jsdom
import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

vi.mock("../../ipc", () => ({ coverUrl: (albumId: string) => `cover://localhost/${albumId}` }));

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
});
