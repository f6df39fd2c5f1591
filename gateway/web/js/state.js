// Session-wide facts the views share: who is logged in and the pipeline's stages as the
// board last listed them (the pipeline is data on the server, so stage names and order are
// never hard-coded here).
import { t } from "./i18n.js";

export const session = { user: null };

/** Stage key → title, in pipeline order; filled from every board reply. */
export const stages = new Map();

export function rememberStages(columns) {
  stages.clear();
  for (const col of columns) stages.set(col.stage, col.title);
}

export const stageTitle = (key) => stages.get(key) || key;

const COMMERCIAL = new Set(["manager", "director"]);
const FIELD = new Set(["measurer", "installer", "delivery"]);

export const role = () => (session.user ? session.user.role : "");
export const isCommercial = () => COMMERCIAL.has(role());
export const isField = () => FIELD.has(role());
export const mayMarkProduction = () => ["production", "manager", "director"].includes(role());

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
