// Covers as cards on shelves that scroll sideways (home, an artist's albums, search results),
// and the play actions cards and pages share.
export { default as Shelf } from "./Shelf.svelte";
export { default as Card } from "./Card.svelte";
export { default as AlbumCard } from "./AlbumCard.svelte";
export { default as ArtistCard } from "./ArtistCard.svelte";
export { default as TrackCard } from "./TrackCard.svelte";
export { playAlbum, playTracks } from "./play";
