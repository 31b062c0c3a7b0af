import { describe, expect, it, vi } from "vitest";
import { deferred } from "../../test/fixtures";
import { PAGES_KEPT, PageLoader } from "./page-loader.svelte";

describe("PageLoader", () => {
  it("shows a page kept from before at once, then the new answer", async () => {
    const answers: Record<string, string[]> = { a: ["a1", "a2"], b: ["b1"] };
    const loader = new PageLoader<string>(async (key) => answers[key].shift() ?? "none");
    await loader.show("a");
    expect(loader.page).toBe("a1");
    await loader.show("b");
    expect(loader.page).toBe("b1");

    const again = loader.show("a");
    expect(loader.page).toBe("a1");
    expect(loader.loading).toBe(true);
    await again;
    expect(loader.page).toBe("a2");
    expect(loader.loading).toBe(false);
  });

  it("drops an answer for a page no longer shown", async () => {
    const slow = deferred<string>();
    const loader = new PageLoader<string>((key) => (key === "slow" ? slow.promise : Promise.resolve(key)));
    const first = loader.show("slow");
    await loader.show("fast");
    slow.resolve("slow");
    await first;
    expect(loader.key).toBe("fast");
    expect(loader.page).toBe("fast");
  });

  it("keeps the error in words and clears it on the next try", async () => {
    const read = vi.fn().mockRejectedValueOnce({ kind: "network", message: "Offline." }).mockResolvedValue("ok");
    const loader = new PageLoader<string>(read);
    await loader.show("a");
    expect(loader.error).toEqual({ kind: "network", message: "Offline." });
    expect(loader.loading).toBe(false);
    await loader.reload();
    expect(loader.error).toBeNull();
    expect(loader.page).toBe("ok");
  });

  it("keeps only the latest pages", async () => {
    const loader = new PageLoader<string>(async (key) => key);
    for (let i = 0; i <= PAGES_KEPT; i += 1) await loader.show(`k${i}`);
    // k1 is still kept and shows at once; k0, the oldest, was forgotten.
    const k1 = loader.show("k1");
    expect(loader.page).toBe("k1");
    await k1;
    const k0 = loader.show("k0");
    expect(loader.page).toBeNull();
    await k0;
    loader.reset();
    expect(loader.page).toBeNull();
    expect(loader.key).toBeNull();
  });
});
