/**
 * The window's words, in the listener's language: `m.<key>(…)` are the messages of
 * `ui/messages/{locale}.json`, compiled by Paraglide into typed functions (a key that does
 * not exist is a type error). `localeStore` says which language; `format` words numbers,
 * sizes and dates in it with `Intl`; `errorWords` words the core's errors in it; `desktopWords`
 * are the tray menu's.
 */
export { m } from "../../paraglide/messages.js";
export { LOCALE_NAMES, localeStore, locales, type Locale } from "./locale.svelte";
export * as format from "./format";
export { errorWords, speaksCoreLanguage, windowError } from "./errors";
export { desktopWords } from "./desktop-words";
