import type { DesktopWords } from "../../ipc";
import { m } from "../../paraglide/messages.js";

/** The tray menu's words in the window's language now (the shell draws the menu). */
export function desktopWords(): DesktopWords {
  return {
    nothing_playing: m.player_nothing(),
    play: m.player_play(),
    pause: m.player_pause(),
    next: m.player_next(),
    previous: m.player_previous(),
    show: m.tray_show(),
    hide: m.tray_hide(),
    mini_player: m.player_mini(),
    quit: m.tray_quit(),
  };
}
