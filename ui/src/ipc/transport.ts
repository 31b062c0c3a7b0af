// Calls into the shell and its events: the typed `call` over Tauri's `invoke`, and
// `subscribe` over `listen`. Only the modules of `ui/src/ipc` use these.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AppError } from "./bindings";
import type { Commands } from "./commands";
import { toAppError } from "./errors";
import { meter } from "./meter";

export type Unlisten = () => void;

/**
 * Commands about signing in. Their "auth" errors are about the attempt (wrong password,
 * wrong code); any other command's "auth" error means the session ended.
 */
const ACCOUNT_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>([
  "sign_in",
  "answer_challenge",
  "restore_session",
  "sign_up",
  "confirm_sign_up",
  "resend_confirmation_code",
  "forgot_password",
  "confirm_forgot_password",
  // A refusal there is about the account switched to; the current session goes on.
  "switch_account",
]);

const sessionEndedListeners = new Set<(error: AppError) => void>();

/** A command of the shell; `commands.ts` is generated from the Rust signatures. */
type CommandName = keyof Commands;
/** A command's arguments as the IPC payload names them, or nothing when it takes none. */
type ArgsOf<C extends CommandName> = Commands[C]["args"] extends null ? [] : [args: Commands[C]["args"]];
type ResultOf<C extends CommandName> = Commands[C]["result"];

/**
 * Invokes a command. Typed by the generated table, so a command, an argument name or a type
 * the shell does not have fails the UI's lint.
 */
export async function call<C extends CommandName>(command: C, ...args: ArgsOf<C>): Promise<ResultOf<C>> {
  try {
    // The table's argument objects are plain records; `invoke` sends them as JSON.
    const answer = await invoke<ResultOf<C>>(command, args[0] as Record<string, unknown> | undefined);
    meter("answer", command, answer);
    return answer;
  } catch (error) {
    const appError = toAppError(error);
    if (appError.kind === "auth" && !ACCOUNT_COMMANDS.has(command)) {
      for (const listener of sessionEndedListeners) listener(appError);
    }
    throw appError;
  }
}

/**
 * Calls `listener` when a command fails because the session ended (its refresh was refused).
 * The backend has already signed out and forgotten the kept session by then.
 */
export function onSessionEnded(listener: (error: AppError) => void): Unlisten {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

export async function subscribe<T>(event: string, callback: (payload: T) => void): Promise<Unlisten> {
  try {
    return await listen<T>(event, (received) => {
      meter("event", event, received.payload);
      callback(received.payload);
    });
  } catch (error) {
    throw toAppError(error);
  }
}

