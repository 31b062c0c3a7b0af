import { tick } from "svelte";
import { navigation } from "$lib/navigation";

/** The id of Settings' Local files group (its heading). */
export const LOCAL_FILES_GROUP_ID = "settings-local-files";

/** How many frames Settings may take to read its settings and show the group. */
const FRAMES_TO_WAIT = 120;

/**
 * Opens Settings scrolled to its Local files group (the folders, their problems): what
 * "Manage folders" on the Local files screen leads to. Settings reads its settings first,
 * so the group is waited for, a frame at a time, for about two seconds at most.
 */
export async function showLocalFilesSettings(): Promise<void> {
  navigation.go({ kind: "settings" });
  await tick();
  // A frame first: the main area puts a screen newly opened at its top once it is drawn.
  for (let frame = 0; frame < FRAMES_TO_WAIT; frame++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const heading = document.getElementById(LOCAL_FILES_GROUP_ID);
    if (heading) {
      heading.scrollIntoView({ block: "start" });
      return;
    }
  }
}
