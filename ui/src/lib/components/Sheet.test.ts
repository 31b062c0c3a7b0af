// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { createRawSnippet } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import Sheet from "./Sheet.svelte";

const body = createRawSnippet(() => ({ render: () => `<p data-testid="sheet-body">Twelve of fourteen found</p>` }));
const footer = createRawSnippet(() => ({
  render: () => `<span><button type="button" class="primary" data-testid="sheet-go">Create</button></span>`,
}));

function opener(): HTMLButtonElement {
  const button = document.createElement("button");
  button.textContent = "Import";
  document.body.append(button);
  button.focus();
  return button;
}

afterEach(() => document.body.replaceChildren());

describe("Sheet", () => {
  it("is a modal dialog named by its title, holding focus, with its actions", () => {
    opener();
    render(Sheet, { title: "Import a playlist", testId: "a-sheet", oncancel: () => {}, children: body, footer });
    const dialog = screen.getByRole("dialog", { name: "Import a playlist" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.dataset.testid).toBe("a-sheet");
    expect(document.activeElement).toBe(dialog);
    expect(screen.getByTestId("sheet-body").textContent).toBe("Twelve of fourteen found");
    expect(dialog.querySelector("footer [data-testid=sheet-go]")).not.toBeNull();
  });

  it("cancels on Escape, but not while something is being sent", async () => {
    const oncancel = vi.fn();
    const shown = render(Sheet, { title: "Upload", testId: "a-sheet", busy: true, oncancel, children: body, footer });
    await fireEvent.keyDown(screen.getByTestId("a-sheet"), { key: "Escape" });
    expect(oncancel).not.toHaveBeenCalled();
    await shown.rerender({ busy: false });
    await fireEvent.keyDown(screen.getByTestId("a-sheet"), { key: "Escape" });
    expect(oncancel).toHaveBeenCalledTimes(1);
  });

  it("gives focus back to what opened it when it closes", () => {
    const button = opener();
    const shown = render(Sheet, { title: "Import", testId: "a-sheet", oncancel: () => {}, children: body, footer });
    expect(document.activeElement).not.toBe(button);
    shown.unmount();
    expect(document.activeElement).toBe(button);
  });
});
