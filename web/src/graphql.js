// The public GraphQL API, as any client reaches it: queries over HTTP POST, live updates over
// the standard graphql-ws client. Both carry the signed-in token and go to this page's own
// server only.
import { createClient } from "graphql-ws";

import * as session from "./session.js";

const ENDPOINT = "/graphql";

/** An answer that carries errors: their messages, and the first error's code. */
export class ApiError extends Error {
  constructor(errors, status) {
    super(errors.map((error) => error.message).join("; "));
    this.errors = errors;
    this.status = status;
    this.code = errors[0]?.extensions?.code ?? null;
  }
}

/** The data of a query (or mutation); throws ApiError when the API refuses it. */
export async function request(query, variables = {}) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${session.token()}`,
    },
    body: JSON.stringify({ query, variables }),
    credentials: "omit",
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError([{ message: `the server answered ${response.status}` }], response.status);
  }
  if (body.errors?.length) throw new ApiError(body.errors, response.status);
  return body.data;
}

let client = null;

/** The one WebSocket client of this page, opened when first needed. */
function live() {
  if (client === null) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    client = createClient({
      url: `${scheme}//${location.host}${ENDPOINT}`,
      connectionParams: () => ({ Authorization: `Bearer ${session.token()}` }),
      lazy: true,
      retryAttempts: Infinity,
      // A refused token (4401, 4403) or request (4400) will not be let in by trying again.
      shouldRetry: (event) => !(event?.code >= 4400 && event.code < 4500),
      // A server restart or a dropped network: back again within half a minute, spread out.
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(30000, 1000 * 2 ** retries))),
      on: {
        connected: () => connection("live"),
        closed: () => connection("reconnecting"),
        error: () => connection("reconnecting"),
      },
    });
  }
  return client;
}

const watchers = new Set();

function connection(state) {
  for (const watcher of watchers) watcher(state);
}

/** Calls `watcher` with "live" or "reconnecting" as the WebSocket comes and goes. */
export function onConnection(watcher) {
  watchers.add(watcher);
}

/** Follows a subscription: `next` gets each event's data. Returns a function that stops it. */
export function subscribe(query, variables, next, error) {
  return live().subscribe(
    { query, variables },
    {
      next: (message) => {
        if (message.errors?.length) error?.(new ApiError(message.errors));
        else next(message.data);
      },
      error: (problem) => error?.(problem),
      complete: () => {},
    },
  );
}

/** Closes the WebSocket (on sign-out: the next one carries the next token). */
export async function close() {
  if (client !== null) {
    const closing = client;
    client = null;
    await closing.dispose();
  }
}
