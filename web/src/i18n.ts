// Messages live in i18n/<lang>.json; t('key', {name: value}) fills {name} placeholders.
// The language is remembered per browser; switching re-renders the app in place.
import en from './i18n/en.json';
import zh from './i18n/zh-CN.json';

export type Lang = 'zh-CN' | 'en';
const tables: Record<Lang, Record<string, string>> = { 'zh-CN': zh, en };

let lang: Lang = (localStorage.getItem('pingan.lang') as Lang) || 'zh-CN';
if (!(lang in tables)) lang = 'zh-CN';
const listeners: Array<() => void> = [];

export function getLang(): Lang {
  return lang;
}
export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem('pingan.lang', l);
  document.documentElement.lang = l;
  for (const f of listeners) f();
}
export function onLangChange(f: () => void): void {
  listeners.push(f);
}

export function t(key: string, vars?: Record<string, string | number>): string {
  let s = tables[lang][key] ?? tables.en[key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}

document.documentElement.lang = lang;
