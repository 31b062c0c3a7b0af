import * as ipc from "../../../ipc";
import type { ArtistPage } from "../../../ipc";
import { PageLoader } from "../page-loader.svelte";

/** The artist page shown (and the last few seen, for "back"). */
export const artistStore = new PageLoader<ArtistPage>((id) => ipc.artistPage(id));
