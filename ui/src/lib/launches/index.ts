// Launches handed to the app (links, files, `strato play`), carried out in the window.
export { followLaunches } from "./launches";
