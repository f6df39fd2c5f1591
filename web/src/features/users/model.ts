// The user form's value and what is sent: a new user whole, a change as only what changed
// (PATCH replaces each field given, so an untouched role is never re-sent and a blank
// password means "keep it"). The list: active people first, then by name.
import type { Schemas } from "../../api/client";

export type User = Schemas["UserOut"];
export type Role = User["role"];
export type UserField = "username" | "display_name" | "role" | "password" | "active";
export type FieldErrors = Partial<Record<UserField, string>>;

export type Draft = {
  username: string;
  display_name: string;
  role: Role | "";
  password: string;
  active: boolean;
};

export const emptyDraft = (): Draft => ({ username: "", display_name: "", role: "", password: "", active: true });

export const draftOf = (user: User): Draft => ({
  username: user.username,
  display_name: user.display_name,
  role: user.role,
  password: "",
  active: user.active,
});

/** The fields left empty that must not be: checked before asking the server. */
export function missing(draft: Draft, creating: boolean): UserField[] {
  const out: UserField[] = [];
  if (creating && !draft.username.trim()) out.push("username");
  if (!draft.display_name.trim()) out.push("display_name");
  if (!draft.role) out.push("role");
  if (creating && !draft.password) out.push("password");
  return out;
}

export function newUser(draft: Draft & { role: Role }): Schemas["NewUser"] {
  return {
    username: draft.username.trim(),
    display_name: draft.display_name.trim(),
    role: draft.role,
    password: draft.password, // as typed: spaces may be part of a password
  };
}

/** Only what differs from `before`; {} when nothing does. */
export function changesOf(before: User, draft: Draft): Schemas["UserChanges"] {
  const out: Schemas["UserChanges"] = {};
  const name = draft.display_name.trim();
  if (name !== before.display_name) out.display_name = name;
  if (draft.role && draft.role !== before.role) out.role = draft.role;
  if (draft.active !== before.active) out.active = draft.active;
  if (draft.password) out.password = draft.password;
  return out;
}

export function sortUsers(users: readonly User[]): User[] {
  return [...users].sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      a.display_name.localeCompare(b.display_name, "ru") ||
      a.username.localeCompare(b.username),
  );
}

/** Does `user` match what was typed into the search (name or username, any case)? */
export function matches(user: User, query: string): boolean {
  const q = query.trim().toLocaleLowerCase();
  return !q || user.display_name.toLocaleLowerCase().includes(q) || user.username.toLocaleLowerCase().includes(q);
}
