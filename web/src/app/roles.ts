// What the signed-in role may do, from the same table the gateway enforces
// (contracts/roles.py → roles.generated.ts): the app offers exactly what the server accepts.
import { useApp } from "../store/app";
import ROLE_TABLE from "./roles.generated";

export type Role = keyof typeof ROLE_TABLE.roles;
export type Capability = (typeof ROLE_TABLE.capabilities)[number];

function spec(role: string | undefined): { audience: string; capabilities: readonly string[] } {
  return role && role in ROLE_TABLE.roles
    ? ROLE_TABLE.roles[role as Role]
    : { audience: "", capabilities: [] };
}

export const may = (role: string | undefined, capability: Capability): boolean =>
  spec(role).capabilities.includes(capability);

export const audienceOf = (role: string | undefined): string => spec(role).audience;

/** The commercial controls (deal terms, stage moves) are for the roles that work orders. */
export const worksOrders = (role: string | undefined): boolean =>
  may(role, "deal.write") && may(role, "stage.move");

/** Where "/" takes the role: the board for those who see orders; users for an admin, who
 * sees none (issue 14: admin administers); the inbox for a role the app does not know. */
export function homePath(role: string | undefined): string {
  // A crew member opens the app for today's visits (issue 15: to a photo in three taps).
  if (audienceOf(role) === "field") return "/tasks";
  if (may(role, "orders.see")) return "/board";
  if (may(role, "users.admin")) return "/users";
  return "/notifications";
}

/** In a component: may the signed-in user do `capability`? */
export function useMay(capability: Capability): boolean {
  return may(useApp((s) => s.me?.role), capability);
}

export const ROLES = Object.keys(ROLE_TABLE.roles) as Role[];
