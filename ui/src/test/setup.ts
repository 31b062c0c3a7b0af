// What jsdom lacks of the webviews' DOM, for component tests. Only browser APIs belong here,
// never a stand-in for our own code.

// jsdom has no layout, so nothing is ever resized: an observer that never calls back is
// exactly what a browser would do for elements that keep their size.
if (typeof globalThis.ResizeObserver === "undefined") {
  globalThis.ResizeObserver = class ResizeObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}

// jsdom lays nothing out, so there is nowhere to scroll: scrolling an element (a list
// brought to a row) does nothing, as in a browser when everything is already in view.
if (typeof Element !== "undefined" && typeof Element.prototype.scrollTo !== "function") {
  Element.prototype.scrollTo = function scrollTo(): void {};
}
