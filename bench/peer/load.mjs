// The load generator of bench/compare.py: autocannon against one GraphQL endpoint.
//
//   node load.mjs SPEC.json   (prints one JSON object: what the run saw)
//
// SPEC: {url, connections, duration, timeout, requests: [{body, headers, kind}]}. Requests are
// sent in the order given, cycling, shared by all connections, so a mix keeps its proportions. In
// a body, __SEQ__ becomes a string never sent before (a write needs a fresh external reference)
// and __NOW__ the current time. The answers to requests of kind "write" are also counted apart.
import { readFileSync } from "node:fs";

import autocannon from "autocannon";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const run = `${process.pid}-${Date.now().toString(36)}`;
let sequence = 0;
let next = 0;
let successes = 0;
let answered = false; // whether the response just checked was a success
const latencies = [];
const failures = [];
const writes = { answered: 0, failed: 0 };

const request = {
  method: "POST",
  path: new URL(spec.url).pathname,
  // A connection has one request in flight: its context says what kind its answer is.
  setupRequest(req, context) {
    const chosen = spec.requests[next % spec.requests.length];
    next += 1;
    context.write = chosen.kind === "write";
    const body = chosen.body
      .replaceAll("__SEQ__", () => `${run}-${(sequence += 1)}`)
      .replaceAll("__NOW__", () => new Date().toISOString());
    return { ...req, headers: { ...req.headers, ...chosen.headers }, body };
  },
  // A 200 is not enough: a GraphQL answer with errors (or user errors) is a failure too.
  onResponse(status, body, context) {
    answered = false;
    if (status !== 200) {
      failures.push(`HTTP ${status}: ${body.slice(0, 300)}`);
    } else if (body.includes('"errors":') || body.includes('"userErrors":[{')) {
      failures.push(`errors: ${body.slice(0, 300)}`);
    } else {
      successes += 1;
      answered = true;
    }
    if (context.write) {
      writes.answered += 1;
      if (!answered) writes.failed += 1;
    }
  },
};

const result = await new Promise((resolve, reject) => {
  const instance = autocannon(
    {
      url: spec.url,
      connections: spec.connections,
      duration: spec.duration,
      timeout: spec.timeout,
      headers: { "content-type": "application/json", accept: "application/json" },
      requests: [request],
    },
    (error, finished) => (error ? reject(error) : resolve(finished)),
  );
  // Exact latencies (autocannon's own histogram keeps whole milliseconds) of the successes.
  // autocannon calls onResponse above and then emits this, for the same response, in one go.
  instance.on("response", (_client, _status, _bytes, milliseconds) => {
    if (answered) latencies.push(milliseconds);
  });
  instance.on("reqError", (error) => failures.push(`${error.code ?? error.name}: ${error.message}`));
});

function percentile(ordered, share) {
  if (ordered.length === 0) return null;
  return ordered[Math.max(1, Math.ceil(share * ordered.length)) - 1];
}

const ordered = latencies.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    successes,
    seconds: result.duration,
    rps: successes / result.duration,
    p50: percentile(ordered, 0.5),
    p99: percentile(ordered, 0.99),
    failures: failures.length,
    failureSamples: [...new Set(failures)].slice(0, 5),
    writes,
  }),
);
