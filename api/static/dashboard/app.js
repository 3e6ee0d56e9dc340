// src/dom.js
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === void 0 || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "style") {
      Object.assign(element.style, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}
function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === void 0 || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}
function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}
function announce(message) {
  const status = document.getElementById("status");
  if (status) status.textContent = message;
}

// node_modules/graphql-ws/dist/common-CGW11Fyb.js
function extendedTypeof(val) {
  if (val === null) {
    return "null";
  }
  if (Array.isArray(val)) {
    return "array";
  }
  return typeof val;
}
function isObject(val) {
  return extendedTypeof(val) === "object";
}
function areGraphQLFormattedErrors(obj) {
  return Array.isArray(obj) && // must be at least one error
  obj.length > 0 && // error has at least a message
  obj.every((ob) => "message" in ob);
}
function limitCloseReason(reason, whenTooLong) {
  return reason.length < 124 ? reason : whenTooLong;
}
var GRAPHQL_TRANSPORT_WS_PROTOCOL = "graphql-transport-ws";
var CloseCode = /* @__PURE__ */ ((CloseCode2) => {
  CloseCode2[CloseCode2["InternalServerError"] = 4500] = "InternalServerError";
  CloseCode2[CloseCode2["InternalClientError"] = 4005] = "InternalClientError";
  CloseCode2[CloseCode2["BadRequest"] = 4400] = "BadRequest";
  CloseCode2[CloseCode2["BadResponse"] = 4004] = "BadResponse";
  CloseCode2[CloseCode2["Unauthorized"] = 4401] = "Unauthorized";
  CloseCode2[CloseCode2["Forbidden"] = 4403] = "Forbidden";
  CloseCode2[CloseCode2["SubprotocolNotAcceptable"] = 4406] = "SubprotocolNotAcceptable";
  CloseCode2[CloseCode2["ConnectionInitialisationTimeout"] = 4408] = "ConnectionInitialisationTimeout";
  CloseCode2[CloseCode2["ConnectionAcknowledgementTimeout"] = 4504] = "ConnectionAcknowledgementTimeout";
  CloseCode2[CloseCode2["SubscriberAlreadyExists"] = 4409] = "SubscriberAlreadyExists";
  CloseCode2[CloseCode2["TooManyInitialisationRequests"] = 4429] = "TooManyInitialisationRequests";
  return CloseCode2;
})(CloseCode || {});
var MessageType = /* @__PURE__ */ ((MessageType2) => {
  MessageType2["ConnectionInit"] = "connection_init";
  MessageType2["ConnectionAck"] = "connection_ack";
  MessageType2["Ping"] = "ping";
  MessageType2["Pong"] = "pong";
  MessageType2["Subscribe"] = "subscribe";
  MessageType2["Next"] = "next";
  MessageType2["Error"] = "error";
  MessageType2["Complete"] = "complete";
  return MessageType2;
})(MessageType || {});
function validateMessage(val) {
  if (!isObject(val)) {
    throw new Error(
      `Message is expected to be an object, but got ${extendedTypeof(val)}`
    );
  }
  if (!val.type) {
    throw new Error(`Message is missing the 'type' property`);
  }
  if (typeof val.type !== "string") {
    throw new Error(
      `Message is expects the 'type' property to be a string, but got ${extendedTypeof(
        val.type
      )}`
    );
  }
  switch (val.type) {
    case "connection_init":
    case "connection_ack":
    case "ping":
    case "pong": {
      if (val.payload != null && !isObject(val.payload)) {
        throw new Error(
          `"${val.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${val.payload}"`
        );
      }
      break;
    }
    case "subscribe": {
      if (typeof val.id !== "string") {
        throw new Error(
          `"${val.type}" message expects the 'id' property to be a string, but got ${extendedTypeof(
            val.id
          )}`
        );
      }
      if (!val.id) {
        throw new Error(
          `"${val.type}" message requires a non-empty 'id' property`
        );
      }
      if (!isObject(val.payload)) {
        throw new Error(
          `"${val.type}" message expects the 'payload' property to be an object, but got ${extendedTypeof(
            val.payload
          )}`
        );
      }
      if (typeof val.payload.query !== "string") {
        throw new Error(
          `"${val.type}" message payload expects the 'query' property to be a string, but got ${extendedTypeof(
            val.payload.query
          )}`
        );
      }
      if (val.payload.variables != null && !isObject(val.payload.variables)) {
        throw new Error(
          `"${val.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${extendedTypeof(
            val.payload.variables
          )}`
        );
      }
      if (val.payload.operationName != null && extendedTypeof(val.payload.operationName) !== "string") {
        throw new Error(
          `"${val.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${extendedTypeof(
            val.payload.operationName
          )}`
        );
      }
      if (val.payload.extensions != null && !isObject(val.payload.extensions)) {
        throw new Error(
          `"${val.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${extendedTypeof(
            val.payload.extensions
          )}`
        );
      }
      break;
    }
    case "next": {
      if (typeof val.id !== "string") {
        throw new Error(
          `"${val.type}" message expects the 'id' property to be a string, but got ${extendedTypeof(
            val.id
          )}`
        );
      }
      if (!val.id) {
        throw new Error(
          `"${val.type}" message requires a non-empty 'id' property`
        );
      }
      if (!isObject(val.payload)) {
        throw new Error(
          `"${val.type}" message expects the 'payload' property to be an object, but got ${extendedTypeof(
            val.payload
          )}`
        );
      }
      break;
    }
    case "error": {
      if (typeof val.id !== "string") {
        throw new Error(
          `"${val.type}" message expects the 'id' property to be a string, but got ${extendedTypeof(
            val.id
          )}`
        );
      }
      if (!val.id) {
        throw new Error(
          `"${val.type}" message requires a non-empty 'id' property`
        );
      }
      if (!areGraphQLFormattedErrors(val.payload)) {
        throw new Error(
          `"${val.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(
            val.payload
          )}`
        );
      }
      break;
    }
    case "complete": {
      if (typeof val.id !== "string") {
        throw new Error(
          `"${val.type}" message expects the 'id' property to be a string, but got ${extendedTypeof(
            val.id
          )}`
        );
      }
      if (!val.id) {
        throw new Error(
          `"${val.type}" message requires a non-empty 'id' property`
        );
      }
      break;
    }
    default:
      throw new Error(`Invalid message 'type' property "${val.type}"`);
  }
  return val;
}
function parseMessage(data, reviver) {
  return validateMessage(
    typeof data === "string" ? JSON.parse(data, reviver) : data
  );
}
function stringifyMessage(msg, replacer) {
  validateMessage(msg);
  return JSON.stringify(msg, replacer);
}

// node_modules/graphql-ws/dist/client.js
function createClient(options) {
  const {
    url,
    connectionParams,
    lazy = true,
    onNonLazyError = console.error,
    lazyCloseTimeout: lazyCloseTimeoutMs = 0,
    keepAlive = 0,
    disablePong,
    connectionAckWaitTimeout = 0,
    retryAttempts = 5,
    retryWait = async function randomisedExponentialBackoff(retries2) {
      const retryDelaySeconds = Math.pow(2, retries2);
      await new Promise(
        (resolve) => setTimeout(
          resolve,
          retryDelaySeconds * 1e3 + // add random timeout from 300ms to 3s
          Math.floor(Math.random() * (3e3 - 300) + 300)
        )
      );
    },
    shouldRetry = isLikeCloseEvent,
    on,
    webSocketImpl,
    /**
     * Generates a v4 UUID to be used as the ID using `Math`
     * as the random number generator. Supply your own generator
     * in case you need more uniqueness.
     *
     * Reference: https://gist.github.com/jed/982883
     */
    generateID = function generateUUID() {
      return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
        const r = Math.random() * 16 | 0, v = c == "x" ? r : r & 3 | 8;
        return v.toString(16);
      });
    },
    jsonMessageReplacer: replacer,
    jsonMessageReviver: reviver
  } = options;
  let ws;
  if (webSocketImpl) {
    if (!isWebSocket(webSocketImpl)) {
      throw new Error("Invalid WebSocket implementation provided");
    }
    ws = webSocketImpl;
  } else if (typeof WebSocket !== "undefined") {
    ws = WebSocket;
  } else if (typeof global !== "undefined") {
    ws = global.WebSocket || // @ts-expect-error: Support more browsers
    global.MozWebSocket;
  } else if (typeof window !== "undefined") {
    ws = window.WebSocket || // @ts-expect-error: Support more browsers
    window.MozWebSocket;
  }
  if (!ws)
    throw new Error(
      "WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`"
    );
  const WebSocketImpl = ws;
  const emitter = (() => {
    const message = /* @__PURE__ */ (() => {
      const listeners2 = {};
      return {
        on(id, listener) {
          listeners2[id] = listener;
          return () => {
            delete listeners2[id];
          };
        },
        emit(message2) {
          if ("id" in message2) listeners2[message2.id]?.(message2);
        }
      };
    })();
    const listeners = {
      connecting: on?.connecting ? [on.connecting] : [],
      opened: on?.opened ? [on.opened] : [],
      connected: on?.connected ? [on.connected] : [],
      ping: on?.ping ? [on.ping] : [],
      pong: on?.pong ? [on.pong] : [],
      message: on?.message ? [message.emit, on.message] : [message.emit],
      closed: on?.closed ? [on.closed] : [],
      error: on?.error ? [on.error] : []
    };
    return {
      onMessage: message.on,
      on(event, listener) {
        const l = listeners[event];
        l.push(listener);
        return () => {
          const i = l.indexOf(listener);
          if (i > -1) {
            l.splice(i, 1);
          }
        };
      },
      emit(event, ...args) {
        for (const listener of [...listeners[event]]) {
          listener(...args);
        }
      }
    };
  })();
  function errorOrClosed(cb) {
    const listening = [
      // errors are fatal and more critical than close events, throw them first
      emitter.on("error", (err) => {
        listening.forEach((unlisten) => unlisten());
        cb(err);
      }),
      // closes can be graceful and not fatal, throw them second (if error didnt throw)
      emitter.on("closed", (event) => {
        listening.forEach((unlisten) => unlisten());
        cb(event);
      })
    ];
    return () => listening.forEach((unlisten) => unlisten());
  }
  let connecting, locks = 0, lazyCloseTimeout, retrying = false, retries = 0, disposed = false;
  async function connect() {
    clearTimeout(lazyCloseTimeout);
    const [socket, throwOnClose] = await (connecting ?? (connecting = new Promise(
      (connected, denied) => (async () => {
        if (retrying) {
          await retryWait(retries);
          if (!locks) {
            connecting = void 0;
            return denied({ code: 1e3, reason: "All Subscriptions Gone" });
          }
          retries++;
        }
        emitter.emit("connecting", retrying);
        const socket2 = new WebSocketImpl(
          typeof url === "function" ? await url() : url,
          GRAPHQL_TRANSPORT_WS_PROTOCOL
        );
        let connectionAckTimeout, queuedPing;
        function enqueuePing() {
          if (isFinite(keepAlive) && keepAlive > 0) {
            clearTimeout(queuedPing);
            queuedPing = setTimeout(() => {
              if (socket2.readyState === WebSocketImpl.OPEN) {
                socket2.send(stringifyMessage({ type: MessageType.Ping }));
                emitter.emit("ping", false, void 0);
              }
            }, keepAlive);
          }
        }
        errorOrClosed((errOrEvent) => {
          connecting = void 0;
          clearTimeout(connectionAckTimeout);
          clearTimeout(queuedPing);
          denied(errOrEvent);
          if (errOrEvent instanceof TerminatedCloseEvent) {
            socket2.close(4499, "Terminated");
            socket2.onerror = null;
            socket2.onclose = null;
          }
        });
        socket2.onerror = (err) => emitter.emit("error", err);
        socket2.onclose = (event) => emitter.emit("closed", event);
        socket2.onopen = async () => {
          try {
            emitter.emit("opened", socket2);
            const payload = typeof connectionParams === "function" ? await connectionParams() : connectionParams;
            if (socket2.readyState !== WebSocketImpl.OPEN) return;
            socket2.send(
              stringifyMessage(
                payload ? {
                  type: MessageType.ConnectionInit,
                  payload
                } : {
                  type: MessageType.ConnectionInit
                  // payload is completely absent if not provided
                },
                replacer
              )
            );
            if (isFinite(connectionAckWaitTimeout) && connectionAckWaitTimeout > 0) {
              connectionAckTimeout = setTimeout(() => {
                socket2.close(
                  CloseCode.ConnectionAcknowledgementTimeout,
                  "Connection acknowledgement timeout"
                );
              }, connectionAckWaitTimeout);
            }
            enqueuePing();
          } catch (err) {
            emitter.emit("error", err);
            socket2.close(
              CloseCode.InternalClientError,
              limitCloseReason(
                err instanceof Error ? err.message : String(err),
                "Internal client error"
              )
            );
          }
        };
        let acknowledged = false;
        socket2.onmessage = ({ data }) => {
          try {
            const message = parseMessage(data, reviver);
            emitter.emit("message", message);
            if (message.type === "ping" || message.type === "pong") {
              emitter.emit(message.type, true, message.payload);
              if (message.type === "pong") {
                enqueuePing();
              } else if (!disablePong) {
                socket2.send(
                  stringifyMessage(
                    message.payload ? {
                      type: MessageType.Pong,
                      payload: message.payload
                    } : {
                      type: MessageType.Pong
                      // payload is completely absent if not provided
                    },
                    replacer
                  )
                );
                emitter.emit("pong", false, message.payload);
              }
              return;
            }
            if (acknowledged) return;
            if (message.type !== MessageType.ConnectionAck)
              throw new Error(
                `First message cannot be of type ${message.type}`
              );
            clearTimeout(connectionAckTimeout);
            acknowledged = true;
            emitter.emit("connected", socket2, message.payload, retrying);
            retrying = false;
            retries = 0;
            const throwOnClose2 = new Promise(
              (_, reject) => errorOrClosed(reject)
            );
            throwOnClose2.catch(() => {
            });
            connected([socket2, throwOnClose2]);
          } catch (err) {
            socket2.onmessage = null;
            emitter.emit("error", err);
            socket2.close(
              CloseCode.BadResponse,
              limitCloseReason(
                err instanceof Error ? err.message : String(err),
                "Bad response"
              )
            );
          }
        };
      })()
    )));
    if (socket.readyState === WebSocketImpl.CLOSING) await throwOnClose;
    let release = () => {
    };
    const released = new Promise((resolve) => release = resolve);
    return [
      socket,
      release,
      // resolves on release or rejects on error/close, whichever comes first.
      // not racing with throwOnClose on purpose, it lives as long as the socket
      // and every race would leak memory per operation
      new Promise((resolve, reject) => {
        const unlisten = errorOrClosed(reject);
        if (socket.readyState !== WebSocketImpl.OPEN)
          throwOnClose.catch(reject);
        released.then(() => {
          unlisten();
          if (!locks) {
            const complete = () => socket.close(1e3, "Normal Closure");
            if (isFinite(lazyCloseTimeoutMs) && lazyCloseTimeoutMs > 0) {
              clearTimeout(lazyCloseTimeout);
              lazyCloseTimeout = setTimeout(() => {
                if (!locks && socket.readyState === WebSocketImpl.OPEN)
                  complete();
              }, lazyCloseTimeoutMs);
            } else {
              complete();
            }
          }
          resolve();
        });
      })
    ];
  }
  function shouldRetryConnectOrThrow(errOrCloseEvent) {
    if (isLikeCloseEvent(errOrCloseEvent) && (isFatalInternalCloseCode(errOrCloseEvent.code) || [
      CloseCode.InternalServerError,
      CloseCode.InternalClientError,
      CloseCode.BadRequest,
      CloseCode.BadResponse,
      CloseCode.Unauthorized,
      // CloseCode.Forbidden, might grant access out after retry
      CloseCode.SubprotocolNotAcceptable,
      // CloseCode.ConnectionInitialisationTimeout, might not time out after retry
      // CloseCode.ConnectionAcknowledgementTimeout, might not time out after retry
      CloseCode.SubscriberAlreadyExists,
      CloseCode.TooManyInitialisationRequests
      // 4499, // Terminated, probably because the socket froze, we want to retry
    ].includes(errOrCloseEvent.code)))
      throw errOrCloseEvent;
    if (disposed) return false;
    if (isLikeCloseEvent(errOrCloseEvent) && errOrCloseEvent.code === 1e3)
      return locks > 0;
    if (!retryAttempts || retries >= retryAttempts) throw errOrCloseEvent;
    if (!shouldRetry(errOrCloseEvent)) throw errOrCloseEvent;
    return retrying = true;
  }
  if (!lazy) {
    (async () => {
      locks++;
      for (; ; ) {
        try {
          const [, , throwOnClose] = await connect();
          await throwOnClose;
        } catch (errOrCloseEvent) {
          try {
            if (!shouldRetryConnectOrThrow(errOrCloseEvent)) return;
          } catch (errOrCloseEvent2) {
            return onNonLazyError?.(errOrCloseEvent2);
          }
        }
      }
    })();
  }
  function subscribe2(payload, sink) {
    const id = generateID(payload);
    let done = false, errored = false, releaser = () => {
      locks--;
      done = true;
    };
    (async () => {
      locks++;
      for (; ; ) {
        try {
          const [socket, release, waitForReleaseOrThrowOnClose] = await connect();
          if (done) {
            waitForReleaseOrThrowOnClose.catch(() => {
            });
            return release();
          }
          const unlisten = emitter.onMessage(id, (message) => {
            switch (message.type) {
              case MessageType.Next: {
                sink.next(message.payload);
                return;
              }
              case MessageType.Error: {
                errored = true, done = true;
                sink.error(message.payload);
                releaser();
                return;
              }
              case MessageType.Complete: {
                done = true;
                releaser();
                return;
              }
            }
          });
          socket.send(
            stringifyMessage(
              {
                id,
                type: MessageType.Subscribe,
                payload
              },
              replacer
            )
          );
          releaser = () => {
            if (!done && socket.readyState === WebSocketImpl.OPEN)
              socket.send(
                stringifyMessage(
                  {
                    id,
                    type: MessageType.Complete
                  },
                  replacer
                )
              );
            locks--;
            done = true;
            release();
          };
          await waitForReleaseOrThrowOnClose.finally(unlisten);
          return;
        } catch (errOrCloseEvent) {
          if (!shouldRetryConnectOrThrow(errOrCloseEvent)) return;
        }
      }
    })().then(() => {
      if (!errored) sink.complete();
    }).catch((err) => {
      sink.error(err);
    });
    return () => {
      if (!done) releaser();
    };
  }
  return {
    on: emitter.on,
    subscribe: subscribe2,
    iterate(request2) {
      const pending2 = [];
      const deferred = {
        done: false,
        error: null,
        resolve: () => {
        }
      };
      const dispose = subscribe2(request2, {
        next(val) {
          pending2.push(val);
          deferred.resolve();
        },
        error(err) {
          deferred.done = true;
          deferred.error = err;
          deferred.resolve();
        },
        complete() {
          deferred.done = true;
          deferred.resolve();
        }
      });
      const iterator = (async function* iterator2() {
        for (; ; ) {
          if (!pending2.length) {
            await new Promise((resolve) => deferred.resolve = resolve);
          }
          while (pending2.length) {
            yield pending2.shift();
          }
          if (deferred.error) {
            throw deferred.error;
          }
          if (deferred.done) {
            return;
          }
        }
      })();
      iterator.throw = async (err) => {
        if (!deferred.done) {
          deferred.done = true;
          deferred.error = err;
          deferred.resolve();
        }
        return { done: true, value: void 0 };
      };
      iterator.return = async () => {
        dispose();
        return { done: true, value: void 0 };
      };
      return iterator;
    },
    async dispose() {
      disposed = true;
      if (connecting) {
        const [socket] = await connecting;
        socket.close(1e3, "Normal Closure");
      }
    },
    terminate() {
      if (connecting) {
        emitter.emit("closed", new TerminatedCloseEvent());
      }
    }
  };
}
var TerminatedCloseEvent = class extends Error {
  name = "TerminatedCloseEvent";
  message = "4499: Terminated";
  code = 4499;
  reason = "Terminated";
  wasClean = false;
};
function isLikeCloseEvent(val) {
  return isObject(val) && "code" in val && "reason" in val;
}
function isFatalInternalCloseCode(code) {
  if ([
    1e3,
    // Normal Closure is not an erroneous close code
    1001,
    // Going Away
    1006,
    // Abnormal Closure
    1005,
    // No Status Received
    1012,
    // Service Restart
    1013,
    // Try Again Later
    1014
    // Bad Gateway
  ].includes(code))
    return false;
  return code >= 1e3 && code <= 1999;
}
function isWebSocket(val) {
  return typeof val === "function" && "constructor" in val && "CLOSED" in val && "CLOSING" in val && "CONNECTING" in val && "OPEN" in val;
}

// src/session.js
var KEY = "coordination.token";
function token() {
  return sessionStorage.getItem(KEY);
}
function keep(value) {
  sessionStorage.setItem(KEY, value);
}
function forget() {
  sessionStorage.removeItem(KEY);
}

// src/graphql.js
var ENDPOINT = "/graphql";
var ApiError = class extends Error {
  constructor(errors, status) {
    super(errors.map((error) => error.message).join("; "));
    this.errors = errors;
    this.status = status;
    this.code = errors[0]?.extensions?.code ?? null;
  }
};
async function request(query, variables = {}) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${token()}`
    },
    body: JSON.stringify({ query, variables }),
    credentials: "omit"
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
var client = null;
function live() {
  if (client === null) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    client = createClient({
      url: `${scheme}//${location.host}${ENDPOINT}`,
      connectionParams: () => ({ Authorization: `Bearer ${token()}` }),
      lazy: true,
      retryAttempts: Infinity,
      // A refused token (4401, 4403) or request (4400) will not be let in by trying again.
      shouldRetry: (event) => !(event?.code >= 4400 && event.code < 4500),
      // A server restart or a dropped network: back again within half a minute, spread out.
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(3e4, 1e3 * 2 ** retries))),
      on: {
        connected: () => connection("live"),
        closed: () => connection("reconnecting"),
        error: () => connection("reconnecting")
      }
    });
  }
  return client;
}
var watchers = /* @__PURE__ */ new Set();
function connection(state) {
  for (const watcher of watchers) watcher(state);
}
function onConnection(watcher) {
  watchers.add(watcher);
}
function subscribe(query, variables, next, error) {
  return live().subscribe(
    { query, variables },
    {
      next: (message) => {
        if (message.errors?.length) error?.(new ApiError(message.errors));
        else next(message.data);
      },
      error: (problem) => error?.(problem),
      complete: () => {
      }
    }
  );
}
async function close() {
  if (client !== null) {
    const closing = client;
    client = null;
    await closing.dispose();
  }
}

// src/format.js
var GROUP = ",";
function decimal(value, places = 2) {
  if (value === null || value === void 0) return "—";
  let text2 = String(value);
  const negative = text2.startsWith("-");
  if (negative) text2 = text2.slice(1);
  let [whole, fraction = ""] = text2.split(".");
  fraction = fraction.padEnd(places + 1, "0");
  let kept = whole + fraction.slice(0, places);
  if (Number(fraction[places]) >= 5) kept = increment(kept);
  whole = kept.slice(0, kept.length - places) || "0";
  fraction = kept.slice(kept.length - places);
  const grouped = whole.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
  return (negative ? "-" : "") + grouped + (places ? "." + fraction : "");
}
function increment(digits) {
  const out = digits.split("");
  for (let i = out.length - 1; i >= 0; i -= 1) {
    if (out[i] === "9") {
      out[i] = "0";
    } else {
      out[i] = String(Number(out[i]) + 1);
      return out.join("");
    }
  }
  return "1" + out.join("");
}
function money(value, restricted = "restricted") {
  if (value === null || value === void 0) return restricted;
  return `${value.currency} ${decimal(value.amount)}`;
}
function millions(amount2) {
  if (amount2 === null || amount2 === void 0) return "—";
  const [whole, fraction = ""] = String(amount2).split(".");
  const padded = whole.padStart(7, "0");
  const m = padded.slice(0, padded.length - 6) + "." + padded.slice(padded.length - 6) + fraction;
  return `${decimal(m, 1)} M`;
}
function percent(ratio) {
  if (ratio === null || ratio === void 0) return "—";
  const [whole, fraction = ""] = String(ratio).split(".");
  const padded = fraction.padEnd(2, "0");
  return `${decimal(whole + padded.slice(0, 2) + "." + padded.slice(2), 1)} %`;
}
function label(name) {
  if (!name) return "—";
  const words = name.toLowerCase().replaceAll("_", " ");
  return words[0].toUpperCase() + words.slice(1);
}
function moment(iso) {
  if (!iso) return "—";
  const when = new Date(iso);
  return when.toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short"
  });
}
function today() {
  const now = /* @__PURE__ */ new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 6e4);
  return local.toISOString().slice(0, 10);
}

// src/table.js
function table(caption, columns, rows, { empty = "Nothing to show.", rowClass } = {}) {
  const body = rows.length ? rows.map(
    (row) => h(
      "tr",
      { class: rowClass?.(row) || null },
      columns.map(
        (column, index) => h(
          index === 0 ? "th" : "td",
          { scope: index === 0 ? "row" : null, class: classOf(column) },
          column.cell(row)
        )
      )
    )
  ) : [h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, empty))];
  const element = h(
    "table",
    {},
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map(
          (column) => h("th", { scope: "col", class: classOf(column) }, column.title)
        )
      )
    ),
    h("tbody", {}, body)
  );
  const csv = () => toCsv(columns, rows);
  return { element, csv };
}
function classOf(column) {
  return [column.numeric ? "number" : null, column.class].filter(Boolean).join(" ") || null;
}
function text(value) {
  if (value === null || value === void 0) return "";
  if (value instanceof Node) return value.textContent ?? "";
  if (Array.isArray(value)) return value.map(text).join(" ");
  return String(value);
}
function toCsv(columns, rows) {
  const quote = (value) => {
    let cell2 = text(value);
    if (/^[=+\-@\t\r]/.test(cell2) && !/^-?\d+(\.\d+)?$/.test(cell2)) cell2 = `'${cell2}`;
    return /[",\r\n]/.test(cell2) ? `"${cell2.replaceAll('"', '""')}"` : cell2;
  };
  const lines = [columns.map((column) => quote(column.title))];
  for (const row of rows) {
    lines.push(columns.map((column) => quote((column.csv ?? column.cell)(row))));
  }
  return lines.map((line) => line.join(",")).join("\r\n") + "\r\n";
}
function download(name, csv) {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const link2 = h("a", { href: url, download: name, hidden: true });
  document.body.append(link2);
  link2.click();
  link2.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

// src/views/common.js
function link(path2, ...text2) {
  return h("a", { href: `#${path2}` }, ...text2);
}
function who(participant, withheld = "Restricted contributor") {
  if (!participant) return h("span", { class: "restricted" }, withheld);
  return h("span", { title: participant.name }, participant.code);
}
function amount(value) {
  if (value === null || value === void 0) {
    return h("span", { class: "restricted" }, "restricted");
  }
  return money(value);
}
var recent = /* @__PURE__ */ new Map();
var RECENT_MS = 10 * 60 * 1e3;
function changed(code) {
  recent.set(code, Date.now());
}
function isRecent(code) {
  const when = recent.get(code);
  return when !== void 0 && Date.now() - when < RECENT_MS;
}
function objectiveCode(code) {
  return [
    h("span", { class: "code" }, code),
    isRecent(code) ? [" ", h("span", { class: "badge" }, "just changed")] : null
  ];
}
var OBJECTIVE_COLUMN = {
  title: "Objective",
  cell: (row) => [
    objectiveCode(row.objective.code),
    " ",
    row.objective.title,
    h("br"),
    h("small", {}, `${row.objective.plan.code} · ${label(row.objective.category)}`)
  ],
  csv: (row) => `${row.objective.code} ${row.objective.title}`
};
var PARTNERS = `
  query DashboardPartnerChoice {
    partners(first: 100) { nodes { code name plans(first: 1) { totalCount } } }
  }`;
var partnerChoices = null;
function forgetChoices() {
  partnerChoices = null;
}
async function partnerChooser(request2, selected, go2, { all = true } = {}) {
  partnerChoices ??= request2(PARTNERS).then((data) => data.partners.nodes.filter((partner2) => partner2.plans.totalCount > 0)).catch((problem) => {
    partnerChoices = null;
    throw problem;
  });
  const partners2 = await partnerChoices;
  const select = h(
    "select",
    { id: "partner-choice", onchange: (event) => go2(event.target.value) },
    all ? h("option", { value: "" }, "All partners") : null,
    partners2.map(
      (partner2) => h(
        "option",
        { value: partner2.code, selected: partner2.code === selected },
        `${partner2.name} (${partner2.code})`
      )
    )
  );
  return h("p", { class: "chooser" }, h("label", { for: "partner-choice" }, "Partner "), select);
}

// src/views/changes.js
var QUERY = `
  query DashboardChanges($since: DateTime!) {
    changes(filter: { since: $since }, last: 100) {
      totalCount
      nodes { position occurredAt action entityType entityId redacted actor { code name } }
    }
  }`;
function yesterday() {
  const day = /* @__PURE__ */ new Date(`${today()}T00:00:00`);
  day.setDate(day.getDate() - 1);
  const local = new Date(day.getTime() - day.getTimezoneOffset() * 6e4);
  return local.toISOString().slice(0, 10);
}
function startOf(day) {
  return (/* @__PURE__ */ new Date(`${day}T00:00:00`)).toISOString();
}
function subject(row) {
  if (row.entityType === "Contribution") {
    return link(`/contributions/${encodeURIComponent(row.entityId)}`, "Contribution");
  }
  return row.entityType;
}
async function changes({ request: request2, params, go: go2 }) {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(params[0] ?? "") ? params[0] : yesterday();
  const data = await request2(QUERY, { since: startOf(day) });
  const rows = [...data.changes.nodes].reverse();
  const listing = table(
    `${data.changes.totalCount} changes since the start of ${day}` + (rows.length < data.changes.totalCount ? `, the latest ${rows.length}` : ""),
    [
      { title: "When", cell: (row) => moment(row.occurredAt) },
      { title: "What", cell: (row) => label(row.action) },
      { title: "To", cell: subject, csv: (row) => `${row.entityType} ${row.entityId}` },
      { title: "Who", cell: (row) => who(row.actor, "withheld") },
      {
        title: "Detail",
        cell: (row) => row.redacted ? h("span", { class: "restricted" }, "restricted") : "shown"
      },
      { title: "Position", cell: (row) => row.position, numeric: true }
    ],
    rows,
    { empty: "Nothing has changed since then." }
  );
  listing.element.id = "change-list";
  const input = h("input", { id: "since", type: "date", value: day, max: today() });
  const form = h(
    "form",
    {
      class: "chooser",
      onsubmit: (event) => {
        event.preventDefault();
        if (input.value) go2(`/changes/${input.value}`);
      }
    },
    h("label", { for: "since" }, "Since "),
    input,
    " ",
    h("button", { type: "submit" }, "Show")
  );
  return {
    title: "What changed",
    intro: "Every write to the record since a day began, in your time zone, latest first.",
    controls: [form],
    body: [listing.element],
    csv: { name: `changes-since-${day}.csv`, make: listing.csv }
  };
}

// src/views/contribution.js
var QUERY2 = `
  query DashboardContribution($id: ID!) {
    node(id: $id) {
      ... on Contribution {
        id kind status visibility redaction description externalReference version
        amount { amount currency } valuedOn startsOn endsOn
        pledgedOn committed { amount currency } committedOn
        delivered { amount currency } deliveredOn overdue { amount currency } withdrawnAt
        createdAt updatedAt
        contributor { code name } channel { code name } reportedBy { code name }
        objective { id code title category plan { code partner { code name } } }
        earmarkedPlan { code } earmarkedCategory
        confirmation { verdict stage amount { amount currency } on reason }
        tranches { number dueOn firmness status amount { amount currency }
                   delivered { amount currency } outstanding { amount currency } }
        items { category description quantity unit unitValue { amount currency }
                value { amount currency } valuation }
        history(last: 50) {
          nodes { position occurredAt action redacted actor { code name } before after }
        }
      }
    }
  }`;
function facts(entries) {
  return h(
    "dl",
    { class: "facts" },
    entries.filter(([, value]) => value !== void 0).map(([term, value]) => [h("dt", {}, term), h("dd", {}, value ?? "—")])
  );
}
function changed2(event) {
  if (event.redacted) return h("span", { class: "restricted" }, "detail restricted");
  if (!event.before) return "registered";
  const after = event.after ?? {};
  const fields = Object.keys(after).filter(
    (key) => !["version", "updated_at"].includes(key) && JSON.stringify(after[key]) !== JSON.stringify(event.before[key])
  );
  return fields.length ? fields.map((key) => key.replaceAll("_", " ")).join(", ") : "—";
}
async function contribution({ request: request2, params }) {
  const id = decodeURIComponent(params[0]);
  const found = (await request2(QUERY2, { id })).node;
  if (!found || !found.kind) throw new Error("No contribution has this ID, or it is not yours to see.");
  const objective = found.objective;
  const history = table(
    "Its history, latest last",
    [
      { title: "Position", cell: (row) => row.position, numeric: true },
      { title: "When", cell: (row) => moment(row.occurredAt) },
      { title: "What", cell: (row) => label(row.action) },
      { title: "Who", cell: (row) => who(row.actor, "withheld") },
      { title: "Changed", cell: changed2 }
    ],
    found.history.nodes
  );
  const sections = [
    facts([
      ["Contributor", who(found.contributor)],
      ["Objective", objective ? `${objective.code} ${objective.title}` : "— (pooled)"],
      ["Plan", objective ? objective.plan.code : found.earmarkedPlan?.code],
      ["Partner", objective ? who(objective.plan.partner) : void 0],
      ["Through", found.channel ? who(found.channel) : void 0],
      ["Kind", label(found.kind)],
      ["Status", label(found.status)],
      ["Visibility", label(found.visibility)],
      ["Pledged", amount(found.amount)],
      ["Committed", found.committed ? money(found.committed) : found.redaction ? amount(null) : "—"],
      ["Delivered", found.delivered ? money(found.delivered) : found.redaction ? amount(null) : "—"],
      ["Overdue", found.overdue ? money(found.overdue) : found.redaction ? amount(null) : "—"],
      ["Period", `${found.startsOn} to ${found.endsOn ?? "open"}`],
      ["Valued on", found.valuedOn],
      ["Reported by", who(found.reportedBy, "withheld")],
      [
        "Confirmation",
        found.confirmation ? `${label(found.confirmation.verdict)} on ${found.confirmation.on}` + (found.confirmation.amount ? `: ${money(found.confirmation.amount)}` : "") : "none yet"
      ],
      ["Withdrawn", found.withdrawnAt ? moment(found.withdrawnAt) : void 0],
      ["Description", found.description],
      ["Why some is hidden", found.redaction ?? void 0]
    ])
  ];
  if (found.tranches?.length) {
    sections.push(
      table(
        "Planned tranches",
        [
          { title: "Tranche", cell: (row) => row.number, numeric: true },
          { title: "Due", cell: (row) => row.dueOn },
          { title: "Firmness", cell: (row) => label(row.firmness) },
          { title: "Amount", cell: (row) => money(row.amount), numeric: true },
          { title: "Delivered", cell: (row) => money(row.delivered), numeric: true },
          { title: "Outstanding", cell: (row) => money(row.outstanding), numeric: true },
          { title: "Status", cell: (row) => h("span", { class: `state ${row.status.toLowerCase()}` }, label(row.status)) }
        ],
        found.tranches
      ).element
    );
  }
  if (found.items?.length) {
    sections.push(
      table(
        "In-kind items",
        [
          { title: "Item", cell: (row) => `${label(row.category)}${row.description ? `: ${row.description}` : ""}` },
          { title: "Quantity", cell: (row) => `${row.quantity} ${row.unit ?? ""}`, numeric: true },
          { title: "Unit value", cell: (row) => money(row.unitValue), numeric: true },
          { title: "Value", cell: (row) => money(row.value), numeric: true },
          { title: "Valuation", cell: (row) => label(row.valuation) }
        ],
        found.items
      ).element
    );
  }
  sections.push(history.element);
  return {
    title: `${label(found.kind)} from ${found.contributor?.code ?? "a restricted contributor"}`,
    intro: objective ? `To ${objective.code} in ${objective.plan.code}.` : "Pooled support.",
    actions: objective ? [link(`/overlaps/${objective.plan.partner.code}`, "Overlaps for this partner")] : [],
    body: sections,
    csv: { name: "contribution-history.csv", make: history.csv }
  };
}

// src/bars.js
function at(amount2, top) {
  if (amount2 === null || amount2 === void 0 || !Number(top)) return 0;
  return Math.max(0, Math.min(100, Number(amount2) / Number(top) * 100));
}
function stageBars(caption, items) {
  const top = items.reduce(
    (largest, item) => Math.max(largest, Number(item.requirement ?? 0), Number(item.pledged ?? 0)),
    0
  );
  return h(
    "figure",
    { class: "bars" },
    h("figcaption", {}, caption),
    h(
      "ul",
      { class: "bar-list" },
      items.map((item) => {
        const words = `${item.label}: committed ${percent(item.ratio)} of the requirement (${millions(item.committed)} of ${millions(item.requirement)}), pledged ${millions(item.pledged)}, disbursed ${millions(item.disbursed)}`;
        return h(
          "li",
          { class: "bar-row", dataset: { item: item.key ?? item.label } },
          h("span", { class: "bar-label" }, item.label),
          h(
            "span",
            { class: "bar-track", role: "img", "aria-label": words, title: words },
            h("span", { class: "bar pledged", style: { width: `${at(item.pledged, top)}%` } }),
            h("span", { class: "bar committed", style: { width: `${at(item.committed, top)}%` } }),
            h("span", { class: "bar disbursed", style: { width: `${at(item.disbursed, top)}%` } }),
            h("span", {
              class: "requirement-mark",
              style: { left: `${at(item.requirement, top)}%` }
            })
          ),
          h(
            "span",
            { class: "bar-figure", dataset: { figure: "ratio" } },
            percent(item.ratio)
          )
        );
      })
    ),
    legend([
      ["pledged", "Pledged"],
      ["committed", "Committed"],
      ["disbursed", "Disbursed or delivered"],
      ["requirement-mark", "Requirement"]
    ])
  );
}
function shareBar(ratio, what) {
  const words = `${what}: ${percent(ratio)}`;
  return h(
    "span",
    { class: "share" },
    h(
      "span",
      { class: "share-track", role: "img", "aria-label": words, title: words },
      h("span", { class: "bar committed", style: { width: `${at(ratio, "1")}%` } })
    ),
    h("span", { class: "share-figure" }, percent(ratio))
  );
}
function partsBar(parts, whole, what) {
  const words = `${what}: ${parts.map(([name, amount2]) => `${name} ${millions(amount2)}`).join(", ")}`;
  return h(
    "span",
    { class: "share-track wide", role: "img", "aria-label": words, title: words },
    parts.map(
      ([name, amount2], index) => h("span", {
        class: `bar part-${index}`,
        dataset: { part: name },
        style: { width: `${at(amount2, whole)}%` }
      })
    )
  );
}
function legend(entries) {
  return h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    entries.map(([kind, name]) => h("li", {}, h("span", { class: `swatch ${kind}` }), name))
  );
}

// src/views/fulfilment.js
var QUERY3 = `
  query DashboardFulfilment($groupBy: FulfilmentGrouping!) {
    fulfilment(groupBy: $groupBy, orderBy: { field: DELIVERED_SHARE, direction: ASC }, first: 100) {
      rank contributions participant { code name }
      pledged { amount currency } committed { amount currency }
      delivered { amount currency } overdue { amount currency }
      deliveredShare committedShare
    }
  }`;
var GROUPINGS = { CONTRIBUTOR: "By contributor", PARTNER: "By partner" };
async function fulfilment({ request: request2, params, go: go2 }) {
  const groupBy = params[0] in GROUPINGS ? params[0] : "CONTRIBUTOR";
  const rows = (await request2(QUERY3, { groupBy })).fulfilment;
  const listing = table(
    `Fulfilment ${GROUPINGS[groupBy].toLowerCase()}, the lowest share delivered first`,
    [
      { title: "Rank", cell: (row) => row.rank, numeric: true },
      { title: groupBy === "PARTNER" ? "Partner" : "Contributor", cell: (row) => who(row.participant, "Restricted contributors") },
      { title: "Contributions", cell: (row) => row.contributions, numeric: true },
      { title: "Pledged", cell: (row) => money(row.pledged), numeric: true },
      { title: "Committed", cell: (row) => money(row.committed), numeric: true },
      { title: "Delivered", cell: (row) => money(row.delivered), numeric: true },
      { title: "Overdue", cell: (row) => money(row.overdue), numeric: true },
      {
        title: "Delivered ÷ committed",
        cell: (row) => shareBar(row.deliveredShare, "delivered of committed"),
        csv: (row) => percent(row.deliveredShare)
      },
      {
        title: "Committed ÷ pledged",
        cell: (row) => shareBar(row.committedShare, "committed of pledged"),
        csv: (row) => percent(row.committedShare)
      }
    ],
    rows
  );
  const select = h(
    "select",
    { id: "grouping", onchange: (event) => go2(`/fulfilment/${event.target.value}`) },
    Object.entries(GROUPINGS).map(
      ([value, text2]) => h("option", { value, selected: value === groupBy }, text2)
    )
  );
  return {
    title: "Fulfilment",
    intro: "What was pledged, committed and delivered, in euros at each contribution's rate.",
    controls: [h("p", { class: "chooser" }, h("label", { for: "grouping" }, "Group "), select)],
    body: [h("div", { class: "scroll" }, listing.element)],
    csv: { name: `fulfilment-${groupBy.toLowerCase()}.csv`, make: listing.csv }
  };
}

// src/views/funds.js
var QUERY4 = `
  query DashboardFunds {
    funds(first: 100) {
      nodes {
        code name
        fund {
          form purpose manager { code name } beneficiary { code name }
          holdings { currency received { amount currency } allocated { amount currency }
                     available { amount currency } }
        }
      }
    }
  }`;
async function funds({ request: request2 }) {
  const data = await request2(QUERY4);
  const rows = data.funds.nodes.flatMap(
    (fund) => (fund.fund?.holdings.length ? fund.fund.holdings : [null]).map((holding) => ({ fund, holding }))
  );
  const listing = table(
    "Funds and what they hold, by currency",
    [
      { title: "Fund", cell: (row) => `${row.fund.name} (${row.fund.code})` },
      { title: "Form", cell: (row) => label(row.fund.fund?.form) },
      { title: "Managed by", cell: (row) => who(row.fund.fund?.manager, "—") },
      {
        title: "For",
        cell: (row) => row.fund.fund?.beneficiary ? who(row.fund.fund.beneficiary) : "several partners"
      },
      { title: "Received", cell: (row) => row.holding ? money(row.holding.received) : "—", numeric: true },
      { title: "Allocated", cell: (row) => row.holding ? money(row.holding.allocated) : "—", numeric: true },
      { title: "Available", cell: (row) => row.holding ? money(row.holding.available) : "—", numeric: true },
      {
        title: "Allocated of received",
        cell: (row) => row.holding ? partsBar(
          [
            ["allocated", row.holding.allocated.amount],
            ["available", row.holding.available.amount]
          ],
          row.holding.received.amount,
          `${row.fund.code} in ${row.holding.currency}`
        ) : "—",
        csv: () => ""
      }
    ],
    rows,
    { empty: "No funds." }
  );
  return {
    title: "Funds",
    intro: "Trust funds and pooled mechanisms: what donors put in, and what reached objectives.",
    body: [h("div", { class: "scroll" }, listing.element)],
    csv: { name: "funds.csv", make: listing.csv }
  };
}

// src/views/gaps.js
var QUERY5 = `
  query DashboardGaps($filter: AnalysisFilter) {
    aidGaps(filter: $filter, first: 100) {
      totalCount
      nodes {
        objective { id code title category priority plan { code } }
        requirement { amount currency } committed { amount currency } lacking { amount currency }
        contributors
        suggestedContributors(first: 3) { participant { code name } contributions reason }
      }
    }
  }`;
async function gaps({ request: request2, params, go: go2 }) {
  const code = params[0] ? decodeURIComponent(params[0]).toUpperCase() : "";
  const data = await request2(QUERY5, { filter: code ? { partners: [code] } : null });
  const found = data.aidGaps.nodes;
  const listing = table(
    `${data.aidGaps.totalCount} objectives short of their requirement` + (code ? ` in ${code}'s plans` : "") + (found.length < data.aidGaps.totalCount ? `, the first ${found.length}` : ""),
    [
      OBJECTIVE_COLUMN,
      { title: "Priority", cell: (row) => label(row.objective.priority) },
      { title: "Requirement", cell: (row) => money(row.requirement, "—"), numeric: true },
      { title: "Committed", cell: (row) => money(row.committed), numeric: true },
      { title: "Lacking", cell: (row) => h("strong", {}, money(row.lacking, "—")), numeric: true },
      { title: "Contributors", cell: (row) => row.contributors, numeric: true },
      {
        title: "Who could help",
        cell: (row) => row.suggestedContributors.length ? h(
          "ul",
          { class: "suggestions" },
          row.suggestedContributors.map(
            (s) => h("li", { title: s.reason }, `${s.participant.name} (${s.participant.code})`)
          )
        ) : "—",
        csv: (row) => row.suggestedContributors.map((s) => s.participant.code).join("; ")
      }
    ],
    found,
    {
      empty: "No gaps: every objective has what it requires.",
      rowClass: (row) => isRecent(row.objective.code) ? "recent" : null
    }
  );
  listing.element.id = "gap-list";
  return {
    title: code ? `Gaps in ${code}'s plans` : "Gaps",
    intro: "Objectives whose committed support falls short of their requirement, highest priority and largest shortfall first, with the contributors most likely to help.",
    controls: [await partnerChooser(request2, code, (chosen) => go2(`/gaps/${chosen}`))],
    body: [listing.element],
    csv: { name: `gaps${code ? `-${code}` : ""}.csv`, make: listing.csv }
  };
}

// src/views/overlaps.js
var QUERY6 = `
  query DashboardOverlaps($filter: AnalysisFilter) {
    aidOverlaps(filter: $filter, first: 100) {
      totalCount
      nodes {
        objective { id code title category plan { code partner { code } } }
        contributorCount hiddenContributorCount score reasons
        total { amount currency } requirement { amount currency } excess { amount currency }
        contributions {
          id kind status amount { amount currency } contributor { code name }
        }
      }
    }
  }`;
var HIDDEN = "Restricted";
function columnsOf(overlaps2) {
  const counts = /* @__PURE__ */ new Map();
  for (const overlap of overlaps2) {
    const seen = new Set(overlap.contributions.map((c) => c.contributor?.code ?? HIDDEN));
    for (const code of seen) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts.keys()].sort((a, b) => {
    if (a === HIDDEN || b === HIDDEN) return a === HIDDEN ? -1 : 1;
    return counts.get(b) - counts.get(a) || a.localeCompare(b);
  });
}
function cell(overlap, code) {
  const given = overlap.contributions.filter((c) => (c.contributor?.code ?? HIDDEN) === code);
  if (!given.length) return "";
  const amounts = given.map((c) => c.amount ? money(c.amount) : "restricted");
  return h(
    "span",
    { class: "given", title: `${code}: ${amounts.join(", ")}` },
    given.map(
      (c, index) => link(
        `/contributions/${encodeURIComponent(c.id)}`,
        h("span", { class: `mark ${c.amount ? "" : "withheld"}`, "aria-hidden": "true" }),
        h("span", { class: "visually-hidden" }, amounts[index])
      )
    )
  );
}
function cellText(overlap, code) {
  return overlap.contributions.filter((c) => (c.contributor?.code ?? HIDDEN) === code).map((c) => c.amount ? money(c.amount) : "restricted").join("; ");
}
async function overlaps({ request: request2, params, go: go2 }) {
  const code = params[0] ? decodeURIComponent(params[0]).toUpperCase() : "";
  const filter = code ? { partners: [code] } : null;
  const data = await request2(QUERY6, { filter });
  const found = data.aidOverlaps.nodes;
  const contributors = columnsOf(found);
  const matrix = table(
    `${data.aidOverlaps.totalCount} objectives with overlapping support` + (code ? ` in ${code}'s plans` : "") + (found.length < data.aidOverlaps.totalCount ? `, the ${found.length} most pressing` : ""),
    [
      OBJECTIVE_COLUMN,
      { title: "Score", cell: (row) => decimal(row.score, 1), numeric: true },
      {
        title: "Why",
        cell: (row) => h(
          "ul",
          { class: "reasons" },
          row.reasons.map((reason) => h("li", {}, label(reason)))
        ),
        csv: (row) => row.reasons.map(label).join("; ")
      },
      {
        title: "Total",
        cell: (row) => [
          money(row.total),
          row.excess && Number(row.excess.amount) > 0 ? [h("br"), h("small", { class: "excess" }, `${money(row.excess)} over`)] : null
        ],
        csv: (row) => money(row.total),
        numeric: true
      },
      ...contributors.map((contributor) => ({
        title: contributor,
        cell: (row) => cell(row, contributor),
        csv: (row) => cellText(row, contributor),
        class: "contributor"
      }))
    ],
    found,
    {
      empty: "No overlapping support.",
      rowClass: (row) => isRecent(row.objective.code) ? "recent" : null
    }
  );
  matrix.element.classList.add("matrix");
  matrix.element.id = "overlap-matrix";
  return {
    title: code ? `Overlaps in ${code}'s plans` : "Overlaps",
    intro: "Each row is an objective where distinct contributors give at the same time, ranked by score; each column a contributor, a mark for each of its contributions there (hover or focus for the amount, open for the detail). Restricted support is counted but not named.",
    controls: [await partnerChooser(request2, code, (chosen) => go2(`/overlaps/${chosen}`))],
    body: [
      h(
        "div",
        { class: "scroll tall", tabindex: "0", role: "region", "aria-label": "Overlap matrix" },
        matrix.element
      )
    ],
    csv: { name: `overlaps${code ? `-${code}` : ""}.csv`, make: matrix.csv }
  };
}

// src/views/partner.js
var QUERY7 = `
  query DashboardPartner($code: String!, $partners: [String!]) {
    participant(code: $code) {
      code name region
      plans(first: 20) {
        nodes {
          id code title kind status startsOn endsOn
          objectives(first: 100) {
            totalCount
            nodes { id code title category priority status requirement { amount currency } }
          }
        }
      }
    }
    coverage(filter: { partners: $partners }) {
      total { objectives requirement { amount currency } pledged { amount currency }
              committed { amount currency } disbursed { amount currency } ratio }
      byCategory { category objectives requirement { amount currency } pledged { amount currency }
                   committed { amount currency } disbursed { amount currency } ratio }
      byKind { kind pledged { amount currency } committed { amount currency }
               disbursed { amount currency } }
    }
  }`;
function stages(figures, name) {
  return {
    key: figures.category ?? "TOTAL",
    label: name,
    requirement: figures.requirement.amount,
    pledged: figures.pledged.amount,
    committed: figures.committed.amount,
    disbursed: figures.disbursed.amount,
    ratio: figures.ratio
  };
}
async function partner({ request: request2, params }) {
  const code = decodeURIComponent(params[0]).toUpperCase();
  const data = await request2(QUERY7, { code, partners: [code] });
  const who2 = data.participant;
  if (!who2) throw new Error(`No participant has the code ${code}.`);
  const coverage = data.coverage;
  const total = coverage.total;
  const figures = table(
    `Coverage of ${who2.name}'s plans by category, in ${total.requirement.currency}`,
    [
      { title: "Category", cell: (row) => row.category ? label(row.category) : "All categories" },
      { title: "Objectives", cell: (row) => row.objectives, numeric: true },
      { title: "Requirement", cell: (row) => money(row.requirement), numeric: true },
      { title: "Pledged", cell: (row) => money(row.pledged), numeric: true },
      { title: "Committed", cell: (row) => money(row.committed), numeric: true },
      { title: "Disbursed", cell: (row) => money(row.disbursed), numeric: true },
      { title: "Committed ÷ requirement", cell: (row) => percent(row.ratio), numeric: true }
    ],
    [...coverage.byCategory, total]
  );
  figures.element.id = "coverage-figures";
  const plans = who2.plans.nodes.map((plan) => {
    const objectives = table(
      `${plan.code}: ${plan.title} (${label(plan.status).toLowerCase()}, ${plan.objectives.totalCount} objectives)`,
      [
        { title: "Objective", cell: (row) => `${row.code} ${row.title}` },
        { title: "Category", cell: (row) => label(row.category) },
        { title: "Priority", cell: (row) => label(row.priority) },
        { title: "Status", cell: (row) => label(row.status) },
        { title: "Requirement", cell: (row) => amount(row.requirement), numeric: true }
      ],
      plan.objectives.nodes,
      { empty: "No objectives yet." }
    );
    return h("section", { class: "plan", "aria-label": plan.code }, objectives.element);
  });
  const kinds = coverage.byKind.map(
    (kind) => `${label(kind.kind)}: ${money(kind.committed)} committed`
  );
  return {
    title: `${who2.name} (${who2.code})`,
    intro: `${who2.region ?? ""}`,
    actions: [
      link(`/overlaps/${who2.code}`, "Overlaps"),
      link(`/gaps/${who2.code}`, "Gaps"),
      link(`/fulfilment/PARTNER`, "Fulfilment")
    ],
    body: [
      h(
        "section",
        { "aria-labelledby": "coverage-heading" },
        h("h2", { id: "coverage-heading" }, "Coverage by category"),
        h(
          "p",
          { class: "headline", dataset: { figure: "total" } },
          `Committed ${money(total.committed)} of a requirement of ${money(total.requirement)}: `,
          h("strong", {}, percent(total.ratio)),
          ` (pledged ${money(total.pledged)}, disbursed ${money(total.disbursed)}).`
        ),
        stageBars(
          "Pledged, committed and disbursed against each category's requirement",
          coverage.byCategory.map((row) => stages(row, label(row.category)))
        ),
        kinds.length ? h("p", { class: "kinds" }, "By kind: ", kinds.join("; "), ".") : null,
        h("details", {}, h("summary", {}, "The figures as a table"), figures.element)
      ),
      h(
        "section",
        { "aria-labelledby": "plans-heading" },
        h("h2", { id: "plans-heading" }, "Plans and objectives"),
        plans.length ? plans : h("p", {}, "No plans.")
      )
    ],
    csv: { name: `coverage-${who2.code}.csv`, make: figures.csv }
  };
}

// src/views/partners.js
var QUERY8 = `
  query DashboardPartners {
    partners(first: 100) {
      nodes {
        code name region
        plans(first: 10) { nodes { id code kind status startsOn endsOn } }
      }
    }
  }`;
async function partners({ request: request2 }) {
  const data = await request2(QUERY8);
  const rows = data.partners.nodes.filter((partner2) => partner2.plans.nodes.length > 0);
  const current = (partner2) => partner2.plans.nodes.filter((plan) => plan.status === "ACTIVE" || plan.status === "AGREED");
  const listing = table(
    "Partners with an individual plan",
    [
      {
        title: "Partner",
        cell: (row) => link(`/partners/${row.code}`, `${row.name} (${row.code})`),
        csv: (row) => row.code
      },
      { title: "Region", cell: (row) => row.region ?? "—" },
      {
        title: "Plans in force",
        cell: (row) => current(row).map((plan) => plan.code).join(", ") || "—"
      },
      {
        title: "Earlier plans",
        cell: (row) => row.plans.nodes.filter((plan) => !current(row).includes(plan)).map((plan) => `${plan.code} (${label(plan.status).toLowerCase()})`).join(", ") || "—"
      }
    ],
    rows
  );
  return {
    title: "Partners",
    intro: "Choose a partner to see its plans, how far each category is covered, and its gaps.",
    body: [listing.element],
    csv: { name: "partners.csv", make: listing.csv }
  };
}

// src/views/reconciliation.js
var QUERY9 = `
  query DashboardReconciliation {
    reconciliation(first: 100) {
      totalCount
      nodes {
        state reported { amount currency } confirmed { amount currency } daysUnconfirmed
        contribution { id contributor { code name } objective { code plan { code } } }
      }
    }
  }`;
async function reconciliation({ request: request2 }) {
  const data = await request2(QUERY9);
  const rows = data.reconciliation.nodes;
  const listing = table(
    `${data.reconciliation.totalCount} contributions to reconcile` + (rows.length < data.reconciliation.totalCount ? `, the first ${rows.length}` : ""),
    [
      {
        title: "Contribution",
        cell: (row) => link(
          `/contributions/${encodeURIComponent(row.contribution.id)}`,
          row.contribution.objective ? `${row.contribution.objective.plan.code} ${row.contribution.objective.code}` : "pooled"
        )
      },
      { title: "Contributor", cell: (row) => who(row.contribution.contributor) },
      { title: "State", cell: (row) => h("span", { class: `state ${row.state.toLowerCase()}` }, label(row.state)) },
      { title: "Reported", cell: (row) => amount(row.reported), numeric: true },
      { title: "Confirmed", cell: (row) => row.confirmed ? money(row.confirmed) : "—", numeric: true },
      { title: "Days unconfirmed", cell: (row) => row.daysUnconfirmed ?? "—", numeric: true }
    ],
    rows,
    { empty: "Everything reported is confirmed." }
  );
  return {
    title: "Reconciliation",
    intro: "Support a partner has not confirmed, or confirmed differently from the report.",
    body: [listing.element],
    csv: { name: "reconciliation.csv", make: listing.csv }
  };
}

// src/main.js
var ROUTES = [
  [/^\/?$/, partners],
  [/^\/partners\/([A-Za-z0-9_-]+)$/, partner],
  [/^\/overlaps(?:\/([A-Za-z0-9_-]*))?$/, overlaps],
  [/^\/gaps(?:\/([A-Za-z0-9_-]*))?$/, gaps],
  [/^\/contributions\/([^/]+)$/, contribution],
  [/^\/changes(?:\/([0-9-]*))?$/, changes],
  [/^\/funds$/, funds],
  [/^\/fulfilment(?:\/([A-Z]*))?$/, fulfilment],
  [/^\/reconciliation$/, reconciliation]
];
var MENU = [
  ["/", "Partners"],
  ["/overlaps", "Overlaps"],
  ["/gaps", "Gaps"],
  ["/changes", "What changed"],
  ["/funds", "Funds"],
  ["/fulfilment", "Fulfilment"],
  ["/reconciliation", "Reconciliation"]
];
var LIVE = `
  subscription DashboardLive {
    contributionChanged {
      event { action entityType }
      contribution { objective { code plan { code } } contributor { code } }
    }
  }`;
var VIEWER = `query DashboardViewer { viewer { role participant { code name } } }`;
var root = document.getElementById("app");
var viewer = null;
var stopLive = null;
var showing = null;
function path() {
  return decodeURI(location.hash.replace(/^#/, "")) || "/";
}
function go(to) {
  location.hash = `#${to}`;
}
function layout() {
  const menu = h(
    "nav",
    { "aria-label": "Views" },
    h(
      "ul",
      {},
      MENU.map(([to, text2]) => h("li", {}, h("a", { href: `#${to}`, dataset: { to } }, text2)))
    )
  );
  const connection2 = h("span", { id: "connection", class: "connection" }, "connecting");
  onConnection((state) => {
    connection2.textContent = state === "live" ? "live" : "reconnecting…";
    connection2.className = `connection ${state}`;
  });
  fill(
    root,
    h("a", { class: "skip", href: "#main", onclick: skip }, "Skip to content"),
    h(
      "header",
      { class: "top" },
      h("p", { class: "brand" }, "Partnership coordination"),
      menu,
      h(
        "p",
        { class: "who" },
        connection2,
        " ",
        h(
          "span",
          { id: "signed-in", title: `Signed in for ${viewer.participant.name}` },
          `${viewer.participant.code} · ${label(viewer.role).toLowerCase()}`
        ),
        " ",
        h("button", { type: "button", id: "sign-out", onclick: signOut }, "Sign out")
      )
    ),
    h("main", { id: "main", tabindex: "-1" }),
    h("p", { id: "status", role: "status", "aria-live": "polite" })
  );
}
function skip(event) {
  event.preventDefault();
  document.getElementById("main")?.focus();
}
function mark(current) {
  for (const item of root.querySelectorAll("nav a")) {
    const to = item.dataset.to;
    const here = to === "/" ? current === "/" || current.startsWith("/partners") : current.startsWith(to);
    if (here) item.setAttribute("aria-current", "page");
    else item.removeAttribute("aria-current");
  }
}
async function show(again = false) {
  const main = document.getElementById("main");
  if (!main) return;
  const current = path();
  const [pattern, view] = ROUTES.find(([expression]) => expression.test(current)) ?? [];
  mark(current);
  if (!view) {
    fill(main, h("h1", {}, "Not found"), h("p", {}, "No view has this address. "), h("a", { href: "#/" }, "Partners"));
    return;
  }
  const drawing = { current, again };
  showing = drawing;
  if (!again) main.setAttribute("aria-busy", "true");
  const params = current.match(pattern).slice(1);
  let page;
  try {
    page = await view({ request, params, go });
  } catch (problem) {
    if (showing !== drawing) return;
    main.removeAttribute("aria-busy");
    if (problem instanceof ApiError && problem.status === 401) return signOut(problem.message);
    fill(main, h("h1", {}, "This view could not be shown"), h("p", { role: "alert" }, problem.message));
    return;
  }
  if (showing !== drawing) return;
  const focused = document.activeElement?.id;
  const scroll = window.scrollY;
  fill(
    main,
    h("h1", { id: "view-title" }, page.title),
    page.intro ? h("p", { class: "intro" }, page.intro) : null,
    h(
      "div",
      { class: "toolbar" },
      page.controls ?? [],
      h(
        "p",
        { class: "actions" },
        (page.actions ?? []).map((action) => [action, " "]),
        page.csv ? h(
          "button",
          { type: "button", id: "download-csv", onclick: () => download(page.csv.name, page.csv.make()) },
          "Download CSV"
        ) : null,
        " ",
        h("button", { type: "button", id: "print", onclick: () => window.print() }, "Print")
      )
    ),
    page.body
  );
  main.removeAttribute("aria-busy");
  main.dataset.view = current;
  main.dataset.drawn = String(Number(main.dataset.drawn ?? 0) + 1);
  document.title = `${page.title} · Partnership coordination`;
  if (again) {
    window.scrollTo(0, scroll);
    if (focused) document.getElementById(focused)?.focus();
  } else {
    main.focus({ preventScroll: true });
  }
}
var redraw = null;
var pending = false;
async function refresh() {
  if (redraw) {
    pending = true;
    return;
  }
  redraw = show(true);
  try {
    await redraw;
  } finally {
    redraw = null;
    if (pending) {
      pending = false;
      refresh();
    }
  }
}
function follow() {
  stopLive = subscribe(
    LIVE,
    {},
    (data) => {
      const change = data.contributionChanged;
      const objective = change.contribution.objective;
      if (objective) changed(objective.code);
      announce(
        `${label(change.event.action)}: support from ${change.contribution.contributor?.code ?? "a restricted contributor"}` + (objective ? ` to ${objective.code} in ${objective.plan.code}` : "") + ". The view is up to date."
      );
      refresh();
    },
    (problem) => announce(`Live updates paused: ${problem.message ?? "connection lost"}`)
  );
}
function signIn(message = "") {
  const field = h("textarea", {
    id: "token",
    name: "token",
    rows: 3,
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "token-help"
  });
  const error = h("p", { id: "sign-in-error", role: "alert" }, message);
  fill(
    root,
    h(
      "main",
      { id: "main", class: "sign-in" },
      h("h1", {}, "Partnership coordination"),
      h(
        "form",
        {
          onsubmit: async (event) => {
            event.preventDefault();
            keep(field.value.trim());
            await start();
          }
        },
        h("label", { for: "token" }, "Your API token"),
        h(
          "p",
          { id: "token-help", class: "help" },
          "Paste the token your organisation issued you. It is kept only while this tab is open and sent only to this server."
        ),
        field,
        error,
        h("button", { type: "submit", id: "sign-in" }, "Sign in")
      )
    )
  );
  field.focus();
}
async function signOut(message = "") {
  stopLive?.();
  stopLive = null;
  forget();
  forgetChoices();
  await close();
  viewer = null;
  signIn(typeof message === "string" ? message : "");
}
async function start() {
  if (!token()) return signIn();
  try {
    viewer = (await request(VIEWER)).viewer;
  } catch (problem) {
    forget();
    return signIn(
      problem instanceof ApiError && problem.status === 401 ? "This token is not valid (mistyped, expired or revoked)." : `Could not sign in: ${problem.message}`
    );
  }
  layout();
  follow();
  await show();
}
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details")) details.open = true;
});
window.addEventListener("hashchange", () => {
  if (viewer) show();
});
start();
