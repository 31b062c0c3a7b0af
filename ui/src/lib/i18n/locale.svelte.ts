import { baseLocale, isLocale, locales, overwriteGetLocale, overwriteSetLocale, type Locale } from "../../paraglide/runtime.js";

/** Each locale's name in itself, as a language list shows it. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: "English", de: "Deutsch" };

/**
 * The language the window speaks: the listener's choice (`Settings.language`), or the
 * system's when there is none (the web view's `navigator.languages`, which follows the OS),
 * or English. Paraglide's messages read it through `getLocale`, and since it is Svelte state
 * every word on screen is redrawn when it changes: a switch is live, nothing is remounted.
 */
export class LocaleStore {
  current = $state<Locale>(baseLocale);
  /** The listener's choice; null follows the system. */
  chosen = $state<Locale | null>(null);

  /** The system's language, where Strato speaks it. */
  system(languages: readonly string[] = globalThis.navigator?.languages ?? []): Locale {
    for (const tag of languages) {
      const language = tag.toLowerCase().split(/[-_]/)[0];
      if (isLocale(language)) return language;
    }
    return baseLocale;
  }

  /** Speaks `choice` (a language tag; null or one Strato lacks: the system's). */
  use(choice: string | null): void {
    this.chosen = choice !== null && isLocale(choice) ? choice : null;
    this.current = this.chosen ?? this.system();
    if (typeof document !== "undefined") document.documentElement.lang = this.current;
  }
}

export const localeStore = new LocaleStore();

overwriteGetLocale(() => localeStore.current);
overwriteSetLocale((locale) => localeStore.use(locale));

export { locales, type Locale };
