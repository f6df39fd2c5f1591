// The app's one store (zustand): who is signed in, the language, the connection, toasts.
// Screens keep their own data in their components and refetch it; what lives here is what
// several screens read at once. Kept small on purpose.
import { create } from "zustand";
import type { Schemas } from "../api/client";

export type Lang = "ru" | "en";
export type Me = Schemas["Me"];
export type Toast = { id: number; text: string; tone: "info" | "error" };

const LANG_KEY = "oms.lang";
// Who was signed in last on this device, so a crew member's phone opening without signal
// comes up with their last known visits rather than a sign-in it cannot send (issue 15).
// Only identity (id, name, role); removed at sign-out and by a deactivated user's wipe.
const ME_KEY = "oms.me";

/** The user this device last signed in, if any (see ME_KEY). */
export function rememberedMe(): Me | null {
  try {
    const saved = localStorage.getItem(ME_KEY);
    return saved ? (JSON.parse(saved) as Me) : null;
  } catch {
    return null;
  }
}

export function forgetMe(): void {
  localStorage.removeItem(ME_KEY);
}

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  return saved === "en" || saved === "ru" ? saved : "ru";
}

type AppState = {
  me: Me | null;
  /** Said on the sign-in form after the app signed the user out (why, what was wiped). */
  signOutNotice: string | null;
  lang: Lang;
  online: boolean;
  unread: number;
  toasts: Toast[];
  signedIn(me: Me): void;
  signedOut(notice?: string): void;
  setLang(lang: Lang): void;
  setOnline(online: boolean): void;
  setUnread(unread: number): void;
  toast(text: string, tone?: Toast["tone"]): void;
  dismiss(id: number): void;
};

let toastSeq = 0;

export const useApp = create<AppState>()((set) => ({
  me: null,
  signOutNotice: null,
  lang: initialLang(),
  online: true,
  unread: 0,
  toasts: [],
  signedIn: (me) => {
    localStorage.setItem(ME_KEY, JSON.stringify(me));
    set({ me, signOutNotice: null });
  },
  signedOut: (notice) => {
    forgetMe();
    set({ me: null, unread: 0, signOutNotice: notice ?? null });
  },
  setLang: (lang) => {
    localStorage.setItem(LANG_KEY, lang);
    document.documentElement.lang = lang;
    set({ lang });
  },
  setOnline: (online) => set({ online }),
  setUnread: (unread) => set({ unread }),
  toast: (text, tone = "info") => {
    const id = ++toastSeq;
    set((s) => ({ toasts: [...s.toasts, { id, text, tone }] }));
    setTimeout(() => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), 5000);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));
