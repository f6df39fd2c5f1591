// Session-wide facts the views share: who is logged in and the pipeline's stages as the
// board last listed them (the pipeline is data on the server, so stage names and order are
// never hard-coded here).
import { t } from "./i18n.js";
import ROLE_TABLE from "./roles.js";

export const session = { user: null };

/** Stage key → title, in pipeline order; filled from every board reply. */
export const stages = new Map();

export function rememberStages(columns) {
  stages.clear();
  for (const col of columns) stages.set(col.stage, col.title);
}

export const stageTitle = (key) => stages.get(key) || key;

export const role = () => (session.user ? session.user.role : "");
// Roles, audiences and capabilities come from contracts/roles.py (exported to roles.js), the
// table the gateway enforces: the app offers exactly what the server will accept.
const spec = () => ROLE_TABLE.roles[role()] || { audience: "", capabilities: [] };
export const may = (capability) => spec().capabilities.includes(capability);
export const audience = () => spec().audience;
// The commercial controls (deal terms, stage moves) are for the roles that work orders, not
// for everyone who may see commercial data (an admin sees it but does not work orders).
export const isCommercial = () => may("deal.write") && may("stage.move");
export const isField = () => audience() === "field";
export const mayMarkProduction = () => may("production.finish");

// Literal t() calls with whole keys (never built from parts) so the unit test can check every key exists.
const ROLE_LABELS = {
  manager: () => t("role.manager"),
  measurer: () => t("role.measurer"),
  installer: () => t("role.installer"),
  delivery: () => t("role.delivery"),
  production: () => t("role.production"),
  director: () => t("role.director"),
  admin: () => t("role.admin"),
};
export const roleLabel = (r) => (ROLE_LABELS[r] ? ROLE_LABELS[r]() : r || "");

const KIND_LABELS = {
  measurement: () => t("kind.measurement"),
  delivery: () => t("kind.delivery"),
  installation: () => t("kind.installation"),
  rework: () => t("kind.rework"),
};
export const kindLabel = (k) => (KIND_LABELS[k] ? KIND_LABELS[k]() : k || "");
