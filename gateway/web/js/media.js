// Documents and photos of an order: the list, and an upload that survives a weak mobile
// connection. Upload is three steps: ask for a presigned URL, PUT the bytes there (retried
// with backoff, waiting for the network to come back), then ask the server to validate.
import { api, ApiError } from "./api.js";
import { h, mount, toast } from "./dom.js";
import { bytes, dateTime } from "./format.js";
import { t } from "./i18n.js";
import { isCommercial, role } from "./state.js";
import { errorText } from "./errors.js";

const PUT_ATTEMPTS = 6;
// What the media service accepts (PDF, Word, Excel, images); the picker offers just these.
const ACCEPT = "application/pdf,.pdf,.docx,.xlsx,image/*,.heic,.heif";
// Some phones report no type for .docx/.heic; the server checks the declared type, so name it.
const BY_EXTENSION = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp",
  heic: "image/heic", heif: "image/heif",
};
const typeOf = (file) =>
  file.type || BY_EXTENSION[(file.name.split(".").pop() || "").toLowerCase()] || "application/octet-stream";
let inFlight = 0;
/** Uploads still running: the order card must not re-render under them. */
export const uploadsInFlight = () => inFlight;

const PURPOSES = {
  document: [
    ["contract_draft", () => t("purpose.contract_draft"), true],
    ["requirements", () => t("purpose.requirements"), false],
    ["calculation", () => t("purpose.calculation"), true],
    ["signed_contract", () => t("purpose.signed_contract"), true],
    ["measurement", () => t("purpose.measurement"), false],
    ["other", () => t("purpose.other"), false],
  ],
  photo: [
    ["measurement", () => t("purpose.measurement"), false],
    ["installation", () => t("purpose.installation"), false],
    ["rework", () => t("purpose.rework"), false],
    ["other", () => t("purpose.other"), false],
  ],
};

export function purposeLabel(kind, purpose) {
  const found = [...PURPOSES.document, ...PURPOSES.photo].find(([key]) => key === purpose);
  return found ? found[1]() : purpose;
}

/** The purpose a field worker most likely means, so one tap on "take photo" is enough. */
function defaultPurpose(kind, stage) {
  if (kind === "photo") {
    if (role() === "measurer" || stage === "measurement") return "measurement";
    if (stage === "rework") return "rework";
    if (role() === "installer" || stage === "installation") return "installation";
    return "other";
  }
  if (role() === "measurer") return "measurement";
  if (stage === "contract" && isCommercial()) return "signed_contract";
  return stage === "intake" ? "requirements" : "other";
}

/**
 * The media section of the order card. `card` is the order card (its documents/photos are the
 * fallback list when GET .../media is not deployed); `onUploaded` refreshes the card.
 */
export function mediaSection(card, onUploaded) {
  const list = h("div", { class: "media-list" }, h("p", { class: "muted" }, t("common.loading")));
  const upload = h("div");
  const section = h("section", { class: "panel", "aria-labelledby": "media-h" },
    h("h2", { id: "media-h" }, t("media.title")),
    list,
    upload);
  loadList(card, list);
  allowedPurposes().then((allowed) => {
    if (allowed.photo.length || allowed.document.length) {
      mount(upload, uploader(card, allowed, () => { loadList(card, list); onUploaded(); }));
    }
  });
  return section;
}

let allowedCache = null;
let allowedFor = null;
/**
 * What this role may attach, per kind: the media service's table (GET /media/purposes), so the
 * picker never offers a purpose the server would refuse. Asked once per signed-in role; if
 * it cannot be asked, nothing is offered (the server decides anyway).
 */
function allowedPurposes() {
  if (allowedCache === null || allowedFor !== role()) {
    allowedFor = role();
    allowedCache = api("/media/purposes")
      .then((found) => ({ photo: found.purposes.photo || [], document: found.purposes.document || [] }))
      .catch(() => {
        allowedCache = null;
        return { photo: [], document: [] };
      });
  }
  return allowedCache;
}

async function loadList(card, list) {
  let items;
  try {
    items = await api(`/orders/${card.id}/media`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) {
      mount(list, h("p", { class: "error" }, errorText(err)));
      return;
    }
    // The media listing is optional: fall back to what the card itself knows.
    items = [...(card.documents || []), ...(card.photos || [])];
  }
  if (!items.length) {
    mount(list, h("p", { class: "muted" }, t("media.none")));
    return;
  }
  const photos = items.filter((m) => m.kind === "photo");
  const docs = items.filter((m) => m.kind !== "photo");
  mount(list,
    photos.length ? h("div", { class: "thumbs" }, photos.map(photo)) : null,
    docs.length ? h("ul", { class: "docs" }, docs.map(doc)) : null);
}

function photo(m) {
  const src = m.thumbnail_url || m.download_url;
  const caption = `${purposeLabel("photo", m.purpose)}${m.taken_at ? ` · ${dateTime(m.taken_at)}` : ""}`;
  const inner = src
    ? h("img", { src, alt: m.filename || t("media.photo"), loading: "lazy" })
    : h("span", { class: "thumb-placeholder" }, "📷");
  return h("figure", { class: "thumb" },
    m.download_url ? h("a", { href: m.download_url, target: "_blank", rel: "noopener" }, inner) : inner,
    h("figcaption", {}, caption));
}

function doc(m) {
  const name = m.filename || t("media.document");
  return h("li", {},
    m.download_url ? h("a", { href: m.download_url, target: "_blank", rel: "noopener" }, "📄 ", name) : h("span", {}, "📄 ", name),
    h("span", { class: "muted small" }, ` · ${purposeLabel("document", m.purpose)}`,
      m.size ? ` · ${bytes(m.size)}` : ""));
}

function uploader(card, allowed, done) {
  const kinds = [["photo", t("media.kind_photo")], ["document", t("media.kind_document")]]
    .filter(([key]) => allowed[key].length);
  const kind = h("select", { id: "up-kind" }, kinds.map(([key, label]) => h("option", { value: key }, label)));
  const purpose = h("select", { id: "up-purpose" });
  const fillPurposes = () => {
    const options = PURPOSES[kind.value].filter(
      ([key, , commercial]) => allowed[kind.value].includes(key) && (!commercial || isCommercial()));
    mount(purpose, options.map(([key, label]) => h("option", { value: key }, label())));
    const preferred = defaultPurpose(kind.value, card.stage);
    if (options.length) purpose.value = options.some(([key]) => key === preferred) ? preferred : options[0][0];
  };
  kind.addEventListener("change", fillPurposes);
  fillPurposes();

  const status = h("div", { class: "upload-status", "aria-live": "polite" });
  // Two inputs: the camera one opens the rear camera directly on phones (photos from the site).
  const camera = h("input", { type: "file", accept: "image/*", capture: "environment", id: "up-camera", class: "visually-hidden" });
  const picker = h("input", { type: "file", multiple: true, id: "up-file", class: "visually-hidden", accept: ACCEPT });
  const start = (files, forcedKind) => {
    if (forcedKind && allowed[forcedKind].length) { kind.value = forcedKind; fillPurposes(); }
    uploadAll(card.id, [...files], kind.value, purpose.value, status).then(done);
  };
  camera.addEventListener("change", () => { start(camera.files, "photo"); camera.value = ""; });
  picker.addEventListener("change", () => { start(picker.files); picker.value = ""; });

  return h("div", { class: "uploader" },
    h("div", { class: "row" },
      h("label", { for: "up-kind" }, t("media.kind"), kind),
      h("label", { for: "up-purpose" }, t("media.purpose"), purpose)),
    h("div", { class: "row" },
      allowed.photo.length ? h("label", { for: "up-camera", class: "button primary" }, "📷 ", t("media.take_photo")) : null,
      allowed.photo.length ? camera : null,
      h("label", { for: "up-file", class: "button" }, "📎 ", t("media.choose_file")),
      picker),
    status);
}

async function uploadAll(orderId, files, kind, purpose, status) {
  inFlight += 1;
  try {
    await uploadEach(orderId, files, kind, purpose, status);
  } finally {
    inFlight -= 1;
  }
}

async function uploadEach(orderId, files, kind, purpose, status) {
  let ok = 0;
  for (const file of files) {
    const line = h("p", {}, file.name, " — ", t("media.uploading"));
    status.append(line);
    try {
      await uploadOne(orderId, file, kind, purpose, (text) => {
        mount(line, file.name, " — ", text);
      });
      mount(line, "✅ ", file.name, " — ", t("media.uploaded"));
      line.className = "ok";
      ok += 1;
    } catch (err) {
      mount(line, "⚠️ ", file.name, " — ", err instanceof ApiError ? errorText(err) : err.message);
      line.className = "error";
      toast(t("media.failed", { name: file.name }), "error");
    }
  }
  // The card re-renders after this (the gate may now be met); the toast outlives it.
  if (ok && ok === files.length) toast(t("media.all_uploaded", { n: ok }), "ok");
}

async function uploadOne(orderId, file, kind, purpose, progress) {
  const contentType = typeOf(file);
  for (let round = 0; round < 2; round += 1) {
    const slot = await api(`/orders/${orderId}/media`, {
      method: "POST",
      json: { kind, purpose, filename: file.name || "photo.jpg", content_type: contentType, size: file.size },
    });
    const put = await putWithRetry(slot.upload_url, file, contentType, progress);
    // A presigned URL lives ~15 minutes; on a very slow link it can expire mid-way. Then
    // ask for a fresh one once rather than failing the whole upload.
    if (put === "expired") continue;
    progress(t("media.checking"));
    return api(`/media/${slot.media_id}/complete`, { method: "POST" });
  }
  throw new Error(t("media.expired"));
}

/** PUT with retries: network errors, timeouts and 5xx are retried with backoff; while the
 * phone is offline we wait for the "online" event instead of burning attempts. */
async function putWithRetry(url, file, contentType, progress) {
  for (let attempt = 1; ; attempt += 1) {
    if (!navigator.onLine) {
      progress(t("media.waiting_network"));
      await new Promise((resolve) => window.addEventListener("online", resolve, { once: true }));
    }
    const result = await putOnce(url, file, contentType, (pct) => progress(t("media.progress", { pct })));
    if (result >= 200 && result < 300) return "ok";
    if (result === 403) return "expired";
    const retriable = result === 0 || result === 408 || result === 429 || result >= 500;
    if (!retriable || attempt >= PUT_ATTEMPTS) {
      throw new Error(t("media.put_failed", { status: result || t("media.no_connection") }));
    }
    const wait = Math.min(30000, 1000 * 2 ** (attempt - 1));
    progress(t("media.retrying", { n: attempt, max: PUT_ATTEMPTS - 1, s: Math.round(wait / 1000) }));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

// XMLHttpRequest, not fetch: only XHR reports upload progress, which a user on a slow
// link needs to see to not give up and retake the photo.
function putOnce(url, file, contentType, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.timeout = 5 * 60 * 1000;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => resolve(xhr.status);
    xhr.onerror = () => resolve(0);
    xhr.ontimeout = () => resolve(0);
    xhr.onabort = () => resolve(0);
    xhr.send(file);
  });
}
