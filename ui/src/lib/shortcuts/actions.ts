import { m } from "$lib/i18n";
import type { Chord } from "./chords";

/** What a window-wide shortcut does. */
export type ShortcutAction =
  | "play-pause"
  | "next"
  | "previous"
  | "volume-up"
  | "volume-down"
  | "mute"
  | "back"
  | "forward"
  | "search"
  | "settings"
  | "mini-player"
  | "next-region"
  | "previous-region";

export interface ShortcutDefinition {
  id: ShortcutAction;
  /** What it does, in the listener's words and language. */
  label: () => string;
  keys: Chord;
}

/**
 * The window's shortcuts and their default keys, as the listener may rebind them (Settings,
 * Keyboard). The defaults are those of the players and desktops a listener knows: Space,
 * Ctrl+arrows for tracks and volume as in Spotify, Alt+arrows as in every browser, F6 as
 * in GTK and Windows.
 */
export const SHORTCUTS: readonly ShortcutDefinition[] = [
  { id: "play-pause", label: () => m.shortcut_play_pause(), keys: "Space" },
  { id: "next", label: () => m.shortcut_next(), keys: "Ctrl+Right" },
  { id: "previous", label: () => m.shortcut_previous(), keys: "Ctrl+Left" },
  { id: "volume-up", label: () => m.shortcut_volume_up(), keys: "Ctrl+Up" },
  { id: "volume-down", label: () => m.shortcut_volume_down(), keys: "Ctrl+Down" },
  { id: "mute", label: () => m.shortcut_mute(), keys: "Ctrl+M" },
  { id: "back", label: () => m.shortcut_back(), keys: "Alt+Left" },
  { id: "forward", label: () => m.shortcut_forward(), keys: "Alt+Right" },
  { id: "search", label: () => m.shortcut_search(), keys: "Ctrl+K" },
  { id: "settings", label: () => m.shortcut_settings(), keys: "Ctrl+," },
  { id: "mini-player", label: () => m.shortcut_mini_player(), keys: "Ctrl+Alt+M" },
  { id: "next-region", label: () => m.shortcut_next_region(), keys: "F6" },
  { id: "previous-region", label: () => m.shortcut_previous_region(), keys: "Shift+F6" },
];

/** Keys that work as every list and keyboard works: listed, not rebindable. */
export const FIXED_KEYS: readonly { keys: () => string; label: () => string }[] = [
  { keys: () => m.fixed_media_keys(), label: () => m.fixed_media() },
  { keys: () => m.fixed_tab_keys(), label: () => m.fixed_tab() },
  { keys: () => m.fixed_move_keys(), label: () => m.fixed_move() },
  { keys: () => m.fixed_select_keys(), label: () => m.fixed_select() },
  { keys: () => m.fixed_enter_keys(), label: () => m.fixed_enter() },
  { keys: () => m.fixed_menu_keys(), label: () => m.fixed_menu() },
  { keys: () => m.fixed_reorder_keys(), label: () => m.fixed_reorder() },
  { keys: () => m.fixed_delete_keys(), label: () => m.fixed_delete() },
  { keys: () => m.fixed_undo_keys(), label: () => m.fixed_undo() },
  { keys: () => m.fixed_escape_keys(), label: () => m.fixed_escape() },
];

/** Chords a shortcut may not take, and why, in words. */
export const RESERVED: Readonly<Record<Chord, () => string>> = {
  Tab: () => m.reserved_tab_moves_between_controls(),
  "Shift+Tab": () => m.reserved_shift_tab_moves_between_controls(),
  Enter: () => m.reserved_enter_presses_what_has_the_focus(),
  Escape: () => m.reserved_escape_closes_menus_and_panels(),
  Up: () => m.reserved_the_arrows_move_in_lists(),
  Down: () => m.reserved_the_arrows_move_in_lists(),
  Left: () => m.reserved_the_arrows_move_in_lists(),
  Right: () => m.reserved_the_arrows_move_in_lists(),
  Home: () => m.reserved_home_moves_in_lists(),
  End: () => m.reserved_end_moves_in_lists(),
  "Alt+Up": () => m.reserved_alt_up_moves_tracks_in_a_playlist(),
  "Alt+Down": () => m.reserved_alt_down_moves_tracks_in_a_playlist(),
  "Shift+Up": () => m.reserved_shift_up_selects_in_lists(),
  "Shift+Down": () => m.reserved_shift_down_selects_in_lists(),
  "Shift+F10": () => m.reserved_shift_f10_opens_menus(),
  Delete: () => m.reserved_delete_removes_from_lists(),
  "Ctrl+A": () => m.reserved_ctrl_a_selects_everything(),
  "Ctrl+C": () => m.reserved_ctrl_c_copies(),
  "Ctrl+V": () => m.reserved_ctrl_v_pastes(),
  "Ctrl+X": () => m.reserved_ctrl_x_cuts(),
  "Ctrl+Z": () => m.reserved_ctrl_z_undoes(),
  "Ctrl+Shift+Z": () => m.reserved_ctrl_shift_z_redoes(),
  "Ctrl+Q": () => m.reserved_ctrl_q_quits(),
  "Ctrl+W": () => m.reserved_ctrl_w_closes_the_window(),
};
