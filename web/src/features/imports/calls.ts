// The import's calls: the chosen file with the stage map, as a dry run or for real, to its
// report — at once (200), or by following its job (202) while `onProgress` hears of each step.
import { api, ok, okWithStatus, type Schemas } from "../../api/client";
import { follow, withMap, type Job, type Report, type Source, type StageMap } from "./model";

type Answer = { status: number; body: Report | Job };

async function answer(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<Answer> {
  const { status, data } = await okWithStatus(call);
  return { status, body: data as Report | Job };
}

function send(source: Source, map: StageMap, dryRun: boolean, signal: AbortSignal): Promise<Answer> {
  const query = { dry_run: dryRun };
  if (source.kind === "json") {
    return answer(
      api.POST("/api/v1/imports/bitrix24", { params: { query }, body: withMap(source.document, map), signal }),
    );
  }
  // Multipart: the browser sets the boundary (openapi-fetch leaves FormData's type alone).
  const form = new FormData();
  form.append("file", source.file, source.name);
  form.append("stage_map", JSON.stringify(map));
  return answer(
    api.POST("/api/v1/imports/bitrix24/csv", {
      params: { query },
      body: form as unknown as Schemas["Body_import_bitrix24_csv"],
      bodySerializer: (body) => body as unknown as FormData,
      signal,
    }),
  );
}

const job = (id: string, signal: AbortSignal): Promise<Job> =>
  ok(api.GET("/api/v1/imports/{import_id}", { params: { path: { import_id: id } }, signal }));

export async function runImport(
  source: Source,
  map: StageMap,
  dryRun: boolean,
  onProgress: (job: Job) => void,
  signal: AbortSignal,
): Promise<Report> {
  const { status, body } = await send(source, map, dryRun, signal);
  if (status !== 202) return body as Report;
  return follow(body as Job, (id) => job(id, signal), onProgress, signal);
}
