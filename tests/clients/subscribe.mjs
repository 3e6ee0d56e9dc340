// One subscription through the npm `graphql-ws` client, as a browser front end makes it.
//
//   node subscribe.mjs '{"url": "ws://...", "token": "...", "query": "...", "variables": {},
//                        "events": 2, "seconds": 20}'
//
// Prints one JSON line per happening on standard output, for tests/test_standard_clients.py:
//   {"type": "connected"}                  the server acknowledged the connection
//   {"type": "next", "payload": {...}}     an event (the execution result, data and/or errors)
//   {"type": "error", "message": "..."}    the client failed (exit code 1)
//   {"type": "complete"}                   the server ended the subscription early (exit code 1)
//   {"type": "timeout"}                    fewer than `events` events within `seconds` (exit code 2)
// and exits 0 after `events` events.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const options = JSON.parse(process.argv[2]);

function emit(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
}

function describe(problem) {
  if (Array.isArray(problem)) return JSON.stringify(problem); // GraphQL errors
  if (problem instanceof Error) return problem.message;
  if (problem && typeof problem.code === "number") {
    return `closed with ${problem.code} ${problem.reason ?? ""}`.trim(); // a CloseEvent
  }
  return String(problem);
}

const client = createClient({
  url: options.url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${options.token}` },
  // Fail at once instead of reconnecting: the test wants to see the first fault.
  retryAttempts: 0,
  lazy: false,
  on: {
    connected: () => emit({ type: "connected" }),
    error: (problem) => finish(1, { type: "error", message: describe(problem) }),
  },
});

let received = 0;
let finished = false;

async function finish(code, line) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  if (line) emit(line);
  await client.dispose();
  process.exit(code);
}

const timer = setTimeout(() => finish(2, { type: "timeout" }), options.seconds * 1000);

client.subscribe(
  { query: options.query, variables: options.variables ?? {} },
  {
    next: (payload) => {
      emit({ type: "next", payload });
      received += 1;
      if (received >= options.events) finish(0);
    },
    error: (problem) => finish(1, { type: "error", message: describe(problem) }),
    complete: () => finish(1, { type: "complete" }),
  },
);
