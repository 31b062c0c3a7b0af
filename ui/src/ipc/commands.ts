// Generated from the #[tauri::command] functions in src-tauri/src by
// `UPDATE_BINDINGS=1 cargo test -p strato-app --test ipc_contract`. Do not edit by hand.

import type { AboutView, AlbumPage, ArtistPage, CacheCleared, CatalogPage, CodeDelivery, DataFolderMoved, DataFolderView, DesktopWords, DownloadsPage, DownloadsStatus, HomeFeedView, HomeShelves, LaunchOutcome, LibraryPlaylist, OfflineState, OfflineTarget, OutputDevices, Page, PlayedTrack, PlayerStatus, PlaylistChanges, PlaylistItemEdit, PlaylistView, QueuePage, QueueView, RememberedAccount, RepeatMode, SearchResults, ServiceTrust, Session, Settings, SettingsView, SignInStep, SignUpOutcome, StaySignedIn, SyncStatus, Track, UpdateStatus } from "./bindings";

/**
 * Every command of the shell: its arguments as the IPC payload names them (`null`: none)
 * and what it answers. A failing command rejects with an `AppError`.
 */
export type Commands = {
  about: { args: null; result: AboutView };
  open_log_folder: { args: null; result: void };
  home_shelves: { args: null; result: HomeShelves };
  home_feed: { args: null; result: HomeFeedView };
  album_page: { args: { id: string }; result: AlbumPage };
  artist_page: { args: { id: string }; result: ArtistPage };
  downloads_page: { args: null; result: DownloadsPage };
  remove_all_downloads: { args: null; result: void };
  retry_failed_downloads: { args: null; result: void };
  play_history: { args: { cursor: string | null }; result: Page<PlayedTrack> };
  catalog_tracks: { args: { cursor: string | null; limit: number | null }; result: CatalogPage };
  refresh_catalog: { args: null; result: void };
  default_service_url: { args: null; result: string };
  service_trust: { args: null; result: ServiceTrust };
  session: { args: null; result: Session | null };
  sign_in: { args: { serviceUrl: string; username: string; password: string; staySignedIn: boolean }; result: SignInStep };
  answer_challenge: { args: { challengeId: string; answer: string }; result: SignInStep };
  stay_signed_in: { args: null; result: StaySignedIn };
  restore_session: { args: null; result: Session | null };
  sign_up: { args: { serviceUrl: string; username: string; password: string; email: string }; result: SignUpOutcome };
  confirm_sign_up: { args: { serviceUrl: string; username: string; code: string }; result: void };
  resend_confirmation_code: { args: { serviceUrl: string; username: string }; result: CodeDelivery };
  forgot_password: { args: { serviceUrl: string; username: string }; result: CodeDelivery };
  confirm_forgot_password: { args: { serviceUrl: string; username: string; code: string; newPassword: string }; result: void };
  sign_out: { args: null; result: void };
  remembered_accounts: { args: null; result: Array<RememberedAccount> };
  switch_account: { args: { serviceUrl: string; username: string }; result: Session };
  forget_account: { args: { serviceUrl: string; username: string }; result: void };
  play_track: { args: { trackId: string }; result: void };
  play_queue: { args: { trackIds: ReadonlyArray<string>; start: number }; result: void };
  jump: { args: { entryId: number }; result: void };
  next: { args: null; result: void };
  previous: { args: null; result: void };
  seek: { args: { positionMs: number }; result: void };
  set_volume: { args: { volume: number }; result: void };
  set_muted: { args: { muted: boolean }; result: void };
  output_devices: { args: null; result: OutputDevices };
  settings: { args: null; result: SettingsView };
  update_settings: { args: { settings: Settings }; result: SettingsView };
  data_folder: { args: null; result: DataFolderView };
  move_data_folder: { args: { folder: string }; result: DataFolderMoved };
  clear_stream_cache: { args: null; result: CacheCleared };
  set_shuffle: { args: { shuffle: boolean }; result: void };
  set_repeat: { args: { repeat: RepeatMode }; result: void };
  pause: { args: null; result: void };
  resume: { args: null; result: void };
  player_status: { args: null; result: PlayerStatus };
  set_window_shown: { args: { shown: boolean }; result: void };
  choose_folder: { args: { title: string }; result: string | null };
  run_launches: { args: null; result: Array<LaunchOutcome> };
  playlists: { args: null; result: Array<LibraryPlaylist> };
  playlist: { args: { id: string }; result: PlaylistView };
  tracks: { args: { ids: ReadonlyArray<string> }; result: Array<Track> };
  offline_states: { args: { ids: ReadonlyArray<string> }; result: Array<OfflineState> };
  create_playlist: { args: { name: string; description: string }; result: LibraryPlaylist };
  rename_playlist: { args: { id: string; name: string }; result: LibraryPlaylist };
  describe_playlist: { args: { id: string; description: string }; result: LibraryPlaylist };
  delete_playlist: { args: { id: string }; result: void };
  add_to_playlist: { args: { id: string; trackIds: ReadonlyArray<string>; position: number | null }; result: PlaylistChanges };
  remove_from_playlist: { args: { id: string; itemId: string }; result: PlaylistChanges };
  move_in_playlist: { args: { id: string; itemId: string; position: number }; result: PlaylistChanges };
  play_playlist: { args: { id: string; start: number }; result: void };
  search_library: { args: { query: string }; result: SearchResults };
  search_catalog: { args: { query: string }; result: SearchResults };
  sync_status: { args: null; result: SyncStatus };
  sync_now: { args: null; result: void };
  dismiss_sync_notice: { args: { id: number }; result: void };
  set_offline: { args: { target: OfflineTarget; offline: boolean }; result: void };
  downloads_status: { args: null; result: DownloadsStatus };
  pause_downloads: { args: null; result: void };
  resume_downloads: { args: null; result: void };
  edit_playlist: { args: { id: string; edits: ReadonlyArray<PlaylistItemEdit> }; result: PlaylistChanges };
  toggle_mini_player: { args: null; result: void };
  show_main_window: { args: null; result: void };
  play_next: { args: { trackIds: ReadonlyArray<string> }; result: void };
  add_to_queue: { args: { trackIds: ReadonlyArray<string> }; result: void };
  move_in_queue: { args: { entryIds: ReadonlyArray<number>; position: number }; result: void };
  remove_from_queue: { args: { entryIds: ReadonlyArray<number> }; result: void };
  clear_queue: { args: null; result: void };
  save_queue_as_playlist: { args: { name: string }; result: LibraryPlaylist };
  queue_view: { args: null; result: QueueView };
  queue_page: { args: { offset: number; limit: number }; result: QueuePage };
  set_desktop_words: { args: { words: DesktopWords }; result: void };
  update_status: { args: null; result: UpdateStatus };
  check_for_updates: { args: null; result: UpdateStatus };
  download_update: { args: null; result: UpdateStatus };
  install_update: { args: null; result: void };
};
