import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { common } from "../../i18n/common";
import { UploadFailure, retryAfter, uploadErrorText } from "./errors";
import { m } from "./messages";

const t = m.in("ru");
const tc = common.in("ru");
const refusal = (status: number, body: Record<string, unknown>): ApiError => new ApiError(status, { detail: "x", ...body });

describe("uploadErrorText", () => {
  it("says in Russian why the media service refused", () => {
    expect(uploadErrorText(refusal(403, { code: "purpose_not_allowed", purpose: "installation" }), t, tc)).toBe(
      "Вашей роли нельзя прикладывать файлы с назначением «Монтаж»",
    );
    expect(uploadErrorText(refusal(413, { code: "too_large" }), t, tc)).toBe("Файл слишком большой");
    expect(uploadErrorText(refusal(413, { code: "error" }), t, tc)).toBe("Файл слишком большой");
    expect(uploadErrorText(refusal(422, { code: "not_an_image" }), t, tc)).toBe("Файл не является изображением или повреждён");
    expect(uploadErrorText(refusal(422, { code: "too_many_pixels", pixels: 60e6, max_pixels: 50e6 }), t, tc)).toBe(
      "Слишком большое изображение: не больше 50 Мп",
    );
    expect(uploadErrorText(refusal(503, { code: "media_busy", retry_after: 5 }), t, tc)).toBe(
      "Сервер занят проверкой других файлов. Повторите через 5 с.",
    );
    expect(uploadErrorText(refusal(503, { code: "storage_full", retry_after: 10 }), t, tc)).toBe(
      "Хранилище файлов переполнено. Файл не сохранён — сообщите администратору и повторите позже",
    );
    expect(uploadErrorText(refusal(503, { code: "storage_unavailable", retry_after: 10 }), t, tc)).toBe(
      "Хранилище файлов недоступно. Повторите через 10 с.",
    );
  });
  it("explains failures found on this side", () => {
    expect(uploadErrorText(new UploadFailure("wrong_type", { purpose: "rework" }), t, tc)).toBe(
      "Такой файл нельзя приложить как «Доработка»",
    );
    expect(uploadErrorText(new UploadFailure("put_failed", { status: 0 }), t, tc)).toBe("загрузка не удалась (нет связи)");
  });
  it("falls back to the app's common texts", () => {
    expect(uploadErrorText(new ApiError(0, null), t, tc)).toBe(tc("error.network"));
    expect(uploadErrorText(new Error("boom"), t, tc)).toBe(tc("error.generic"));
  });
});

describe("retryAfter", () => {
  it("reads the seconds from the body, bounded, with a default", () => {
    expect(retryAfter(refusal(503, { retry_after: 3 }))).toBe(3);
    expect(retryAfter(refusal(503, { retry_after: 600 }))).toBe(60);
    expect(retryAfter(refusal(503, {}))).toBe(5);
  });
});
