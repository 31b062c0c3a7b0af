// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from "vitest";
import { moveToRegion, skipToContent } from "./regions";

describe("the window's regions", () => {
  beforeEach(() => {
    document.body.innerHTML = `
      <aside data-region><button id="home">Home</button><button id="catalog">Catalog</button></aside>
      <main data-region="content" id="main"><button id="back" disabled>Back</button><input id="search" /><h1>Home</h1><button id="card">Card</button></main>
      <footer data-region aria-label="Now playing"><p>Nothing playing</p></footer>
      <section data-region id="panel"><button>First</button><button id="start" data-region-start>Start</button></section>`;
  });

  it("moves through the regions in a ring, to the control a listener wants in each", () => {
    document.getElementById("catalog")!.focus();
    expect(moveToRegion(document, 1)?.tagName).toBe("H1");
    const footer = moveToRegion(document, 1);
    expect(footer?.tagName).toBe("FOOTER");
    expect(footer?.tabIndex).toBe(-1);
    expect(moveToRegion(document, 1)?.id).toBe("start");
    expect(moveToRegion(document, 1)?.id).toBe("home");
    expect(moveToRegion(document, -1)?.id).toBe("start");
    expect(document.activeElement?.id).toBe("start");
  });

  it("with focus in no region, F6 starts at the first and Shift+F6 at the last", () => {
    (document.activeElement as HTMLElement | null)?.blur();
    expect(moveToRegion(document, 1)?.id).toBe("home");
    (document.activeElement as HTMLElement | null)?.blur();
    expect(moveToRegion(document, -1)?.id).toBe("start");
  });

  it("skipping to content lands on the screen's heading", () => {
    const target = skipToContent(document.getElementById("main")!);
    expect(target.tagName).toBe("H1");
    expect(document.activeElement).toBe(target);
  });
});
