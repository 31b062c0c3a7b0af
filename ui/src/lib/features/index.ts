// The screens reached by browsing (home, album, artist, downloads, uploads, explore, a
// listener's page, history): each folder
// holds its screen and its store. What they keep belongs to the signed-in account.
import { navigation } from "$lib/navigation/navigation.svelte";
import { albumStore } from "./album/album.svelte";
import { artistStore } from "./artist/artist.svelte";
import { downloadsStore } from "./downloads/downloads.svelte";
import { exploreStore } from "./explore/explore.svelte";
import { historyStore } from "./history/history.svelte";
import { homeStore } from "./home/home.svelte";
import { lyricsStore } from "./lyrics/lyrics.svelte";
import { playlistFiles } from "./playlist-files/playlist-files.svelte";
import { starredPageStore, starsStore } from "./starred/stars.svelte";
import { uploadsStore } from "./uploads/uploads.svelte";

/** Forgets every page seen and the screens visited: another account, or none, follows. */
export function resetBrowsing(): void {
  navigation.reset();
  homeStore.reset();
  albumStore.reset();
  artistStore.reset();
  downloadsStore.reset();
  historyStore.reset();
  uploadsStore.reset();
  exploreStore.reset();
  playlistFiles.reset();
  lyricsStore.reset();
  starsStore.reset();
  starredPageStore.reset();
}
