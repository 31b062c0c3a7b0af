/**
 * The last playlist edit (or playlist deletion) and how to take it back, with the notice
 * that tells of it: one slot, as in Spotify, filled by each edit and emptied by an undo.
 * The stores of playlists fill it (the account's and those on this computer share
 * `playlistEdits`, so Ctrl/Cmd+Z takes back the last edit of either); the notice
 * (`EditNotice`) and Ctrl/Cmd+Z empty it.
 */
import { m } from "$lib/i18n";

/** What was just done, in words, and whether Ctrl/Cmd+Z can take it back. */
export interface EditNotice {
  /** Tells one notice from the next (the same words may come twice). */
  readonly id: number;
  readonly message: string;
  readonly canUndo: boolean;
}

interface UndoableEdit {
  readonly noticeId: number;
  readonly message: string;
  /** Takes the edit back; false when it could not (the caller has said why). */
  readonly revert: () => Promise<boolean>;
}

export class UndoSlot {
  /** The notice shown (null once closed or after a sign-out). */
  notice = $state.raw<EditNotice | null>(null);
  #edit: UndoableEdit | null = null;
  #sequence = 0;

  /** Tells what was done, offering to undo it with `revert` (replacing any earlier edit). */
  offer(message: string, revert: () => Promise<boolean>): void {
    const id = ++this.#sequence;
    this.#edit = { noticeId: id, message, revert };
    this.notice = { id, message, canUndo: true };
  }

  /** Whether there is an edit to take back, its notice shown or not. */
  get canUndo(): boolean {
    return this.#edit !== null;
  }

  /**
   * Takes back the edit; false when there is none or it could not be. Either way it is not
   * offered again: a failed undo says why, and the listener acts on what is shown.
   */
  async undo(): Promise<boolean> {
    const edit = this.#edit;
    if (!edit) return false;
    this.#edit = null;
    if (this.notice?.id === edit.noticeId) this.notice = { ...this.notice, canUndo: false };
    if (!(await edit.revert())) return false;
    this.notice = { id: ++this.#sequence, message: m.edit_undone({ message: edit.message }), canUndo: false };
    return true;
  }

  /** Hides notice `id`; Ctrl/Cmd+Z still undoes the edit it told of. */
  dismiss(id: number): void {
    if (this.notice?.id === id) this.notice = null;
  }

  /** Forgets everything (another account). */
  clear(): void {
    this.notice = null;
    this.#edit = null;
  }
}

/** The window's one slot: the last edit of any playlist, the account's or on this computer. */
export const playlistEdits = new UndoSlot();
