import * as ipc from "../../ipc";
import { navigation } from "$lib/navigation";
import { playerStore } from "$lib/stores/player.svelte";

/**
 * What the app was opened with (a `strato://` link, files from the file manager, a second
 * launch's `strato play`), carried out while the signed-in window is up: the page a launch
 * names is shown, and what could not be done is said where the player says its errors.
 * Asks once at start (the core kept this launch's own) and on each handover; returns the
 * function that stops.
 */
export function followLaunches(): () => void {
  let stopped = false;
  let unlisten: ipc.Unlisten | null = null;

  async function run(): Promise<void> {
    let outcomes: ipc.LaunchOutcome[];
    try {
      outcomes = await ipc.runLaunches();
    } catch (error) {
      outcomes = [{ page: null, error: ipc.toAppError(error) }];
    }
    if (stopped) return;
    for (const outcome of outcomes) show(outcome);
  }

  ipc.onLaunchesWaiting(() => void run()).then(
    (stop) => {
      if (stopped) return stop();
      unlisten = stop;
      // After listening: a handover between the two is then asked for twice, never missed.
      void run();
    },
    (error: unknown) => {
      if (!stopped) playerStore.commandError = ipc.toAppError(error);
    },
  );

  return () => {
    stopped = true;
    unlisten?.();
  };
}

function show(outcome: ipc.LaunchOutcome): void {
  if (outcome.page) navigation.go({ kind: outcome.page.kind, id: outcome.page.id });
  if (outcome.error) playerStore.commandError = outcome.error;
}
