// Validates custom resources against their published schemas, offline: the Prometheus
// Operator's CRDs as @kubernetes-models/prometheus-operator compiles them (generated from the
// operator's own CRD manifests). Reads a JSON array of resources on stdin; prints one line per
// problem and exits 1 if there is any. Resources of other API groups are not this script's.
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});
let failed = 0;
let checked = 0;
for (const doc of JSON.parse(input)) {
  const name = `${doc.kind}/${doc.metadata?.name}`;
  if (doc.apiVersion !== "monitoring.coreos.com/v1") continue;
  const Model = monitoring[doc.kind];
  if (!Model) {
    console.log(`${name}: no published schema for kind ${doc.kind}`);
    failed += 1;
    continue;
  }
  try {
    new Model(doc).validate();
    checked += 1;
  } catch (error) {
    console.log(`${name}: ${error.message}`);
    failed += 1;
  }
}
console.error(`validated ${checked} monitoring.coreos.com/v1 resource(s), ${failed} problem(s)`);
process.exit(failed ? 1 : 0);
