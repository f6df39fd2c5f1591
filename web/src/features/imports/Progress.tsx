// A running check or import: what is going on and, once the server answered 202 with its
// job, how many deals of how many are done.
import type { ReactElement } from "react";
import { m } from "./messages";
import { percent, type Job } from "./model";

export function Progress(props: {
  job: Job | null;
  label: string;
  counted: (done: number, total: number) => string;
}): ReactElement {
  const t = m.use();
  const { job } = props;
  return (
    <div className="imp-progress">
      <p role="status">
        {props.label}
        {job ? ` ${props.counted(job.done, job.total)} (${percent(job)}%)` : ""}
      </p>
      {/* Without a job yet the bar is indeterminate: the answer may come within seconds. */}
      <progress aria-label={t("run.progress_label")} max={job?.total || undefined} value={job ? job.done : undefined} />
    </div>
  );
}
