// Where the main area is and how to get elsewhere: the router store, its pure logic, the
// link to an artist's or an album's page, and which screens the window signed out shows.
export { navigation, NavigationStore } from "./navigation.svelte";
export { routeHref, routeKey, sameRoute, type Route, type RouteKind } from "./router";
export { default as EntityLink } from "./EntityLink.svelte";
export { default as NavButtons } from "./NavButtons.svelte";
export { SIGNED_OUT_START, worksSignedOut } from "./signed-out";
