import {
  back,
  canGoBack,
  canGoForward,
  dropCurrent,
  forward,
  go,
  initialState,
  navigationButton,
  navigationKey,
  renamePlaylist,
  replace,
  routeKey,
  type NavState,
  type Route,
} from "./router";

/**
 * The screen shown in the main area and the screens visited before and after it. Everything
 * that opens a screen calls `navigation.go`; the back and forward buttons, the mouse's side
 * buttons and Alt+Left/Right walk the history. `MainScreen` shows `navigation.route` and
 * tells the store how far the screen is scrolled, so "back" returns to the same place.
 */
export class NavigationStore {
  #state = $state.raw<NavState>(initialState());
  #resets = $state(0);
  #readScroll: () => number = () => 0;

  get route(): Route {
    return this.#state.current.route;
  }

  /** A string naming the current route (a key for `{#key}`). */
  get key(): string {
    return routeKey(this.#state.current.route);
  }

  get canGoBack(): boolean {
    return canGoBack(this.#state);
  }

  get canGoForward(): boolean {
    return canGoForward(this.#state);
  }

  /** How many times the history was reset: a screen keyed by it is made anew for the next account. */
  get resets(): number {
    return this.#resets;
  }

  /** Where the current screen was scrolled when it was last left (0 on a first visit). */
  get scrollTop(): number {
    return this.#state.current.scrollTop;
  }

  /** How the main area's scroll position is read when a screen is left. */
  setScrollReader(read: () => number): void {
    this.#readScroll = read;
  }

  go(route: Route): void {
    this.#state = go(this.#state, route, this.#readScroll());
  }

  replace(route: Route): void {
    this.#state = replace(this.#state, route);
  }

  back(): void {
    this.#state = back(this.#state, this.#readScroll());
  }

  forward(): void {
    this.#state = forward(this.#state, this.#readScroll());
  }

  /** Leaves a screen with nothing left to show (a deleted playlist, an emptied search). */
  dropCurrent(): void {
    this.#state = dropCurrent(this.#state);
  }

  /** A playlist got the service's id: the screens visited follow it. */
  renamePlaylist(from: string, to: string): void {
    this.#state = renamePlaylist(this.#state, from, to);
  }

  /** A new session starts at home with no history (sign-in, an account switch). */
  reset(route?: Route): void {
    this.#state = initialState(route);
    this.#resets += 1;
  }

  /** Cmd+[ / Cmd+] on macOS, anywhere in the window (the rebindable keys are shortcuts). */
  handleKeydown(event: KeyboardEvent): void {
    const direction = navigationKey(event, isMac());
    if (!direction) return;
    event.preventDefault();
    this.#walk(direction);
  }

  /** The mouse's back and forward side buttons. */
  handleMouseup(event: MouseEvent): void {
    const direction = navigationButton(event.button);
    if (!direction) return;
    event.preventDefault();
    this.#walk(direction);
  }

  #walk(direction: "back" | "forward"): void {
    if (direction === "back") this.back();
    else this.forward();
  }
}

function isMac(): boolean {
  return typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

export const navigation = new NavigationStore();
