// Validates custom resources against their published schemas, offline: the operators' CRDs
// as @kubernetes-models compiles them (generated from each operator's own CRD manifests) —
// the Prometheus Operator, Strimzi and CloudNativePG. Reads a JSON array of resources on
// stdin; prints one line per problem and exits 1 if there is any.
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import * as strimzi from "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2";
import * as cnpg from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1";

const GROUPS = {
  "monitoring.coreos.com/v1": monitoring,
  "kafka.strimzi.io/v1beta2": strimzi,
  "postgresql.cnpg.io/v1": cnpg,
};

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});
let failed = 0;
let checked = 0;
for (const doc of JSON.parse(input)) {
  const name = `${doc.kind}/${doc.metadata?.name}`;
  const models = GROUPS[doc.apiVersion];
  const Model = models?.[doc.kind];
  if (!Model) {
    console.log(`${name}: no published schema for ${doc.apiVersion} ${doc.kind}`);
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
console.error(`validated ${checked} custom resource(s), ${failed} problem(s)`);
process.exit(failed ? 1 : 0);
