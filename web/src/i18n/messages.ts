// Messages live beside the screen that shows them: each feature defines its Russian and
// English text with `defineMessages`, and the compiler checks both languages have every key,
// so an untranslated key cannot reach the screen. `{name}` placeholders are filled from params.
import { useApp, type Lang } from "../store/app";

export type Params = Record<string, string | number>;

export function format(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export type Translate<K extends string> = (key: K, params?: Params) => string;

export function defineMessages<K extends string>(
  ru: Record<K, string>,
  en: NoInfer<Record<K, string>>,
): { use: () => Translate<K>; in: (lang: Lang) => Translate<K> } {
  const inLang =
    (lang: Lang): Translate<K> =>
    (key, params) =>
      format((lang === "en" ? en : ru)[key], params);
  return {
    /** In a component: re-renders when the language changes. */
    use: () => inLang(useApp((s) => s.lang)),
    /** Outside components (toasts, effects). */
    in: inLang,
  };
}
