// The bearer token. sessionStorage, not localStorage: the token dies with the tab, which
// matters on shared office computers and lost phones.
const TOKEN_KEY = "oms.token";
const listeners = new Set<() => void>();

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
  /** The server refused the token: forget it and tell whoever shows the sign-in screen. */
  expired(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    for (const listener of listeners) listener();
  },
  onExpired(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
