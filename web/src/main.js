// The coordination dashboard: sign in with a token, then views of the public GraphQL API that
// follow every change live.
import { announce, fill, h } from "./dom.js";
import * as api from "./graphql.js";
import { label } from "./format.js";
import * as session from "./session.js";
import { download } from "./table.js";
import { changed, forgetChoices } from "./views/common.js";
import { changes } from "./views/changes.js";
import { contribution } from "./views/contribution.js";
import { fulfilment } from "./views/fulfilment.js";
import { funds } from "./views/funds.js";
import { gaps } from "./views/gaps.js";
import { overlaps } from "./views/overlaps.js";
import { partner } from "./views/partner.js";
import { partners } from "./views/partners.js";
import { reconciliation } from "./views/reconciliation.js";

// Each view by its address (after the #), and the menu's entries.
const ROUTES = [
  [/^\/?$/, partners],
  [/^\/partners\/([A-Za-z0-9_-]+)$/, partner],
  [/^\/overlaps(?:\/([A-Za-z0-9_-]*))?$/, overlaps],
  [/^\/gaps(?:\/([A-Za-z0-9_-]*))?$/, gaps],
  [/^\/contributions\/([^/]+)$/, contribution],
  [/^\/changes(?:\/([0-9-]*))?$/, changes],
  [/^\/funds$/, funds],
  [/^\/fulfilment(?:\/([A-Z]*))?$/, fulfilment],
  [/^\/reconciliation$/, reconciliation],
];
const MENU = [
  ["/", "Partners"],
  ["/overlaps", "Overlaps"],
  ["/gaps", "Gaps"],
  ["/changes", "What changed"],
  ["/funds", "Funds"],
  ["/fulfilment", "Fulfilment"],
  ["/reconciliation", "Reconciliation"],
];

const LIVE = `
  subscription DashboardLive {
    contributionChanged {
      event { action entityType }
      contribution { objective { code plan { code } } contributor { code } }
    }
  }`;

const VIEWER = `query DashboardViewer { viewer { role participant { code name } } }`;

const root = document.getElementById("app");
let viewer = null;
let stopLive = null;
let showing = null; // the view on screen: its address and whether it is being drawn again

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
      MENU.map(([to, text]) => h("li", {}, h("a", { href: `#${to}`, dataset: { to } }, text))),
    ),
  );
  const connection = h("span", { id: "connection", class: "connection" }, "connecting");
  api.onConnection((state) => {
    connection.textContent = state === "live" ? "live" : "reconnecting…";
    connection.className = `connection ${state}`;
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
        connection,
        " ",
        h(
          "span",
          { id: "signed-in", title: `Signed in for ${viewer.participant.name}` },
          `${viewer.participant.code} · ${label(viewer.role).toLowerCase()}`,
        ),
        " ",
        h("button", { type: "button", id: "sign-out", onclick: signOut }, "Sign out"),
      ),
    ),
    h("main", { id: "main", tabindex: "-1" }),
    h("p", { id: "status", role: "status", "aria-live": "polite" }),
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

/** Draws the view at the current address; `again` when live data changed under it. */
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
    page = await view({ request: api.request, params, go });
  } catch (problem) {
    if (showing !== drawing) return;
    main.removeAttribute("aria-busy");
    if (problem instanceof api.ApiError && problem.status === 401) return signOut(problem.message);
    fill(main, h("h1", {}, "This view could not be shown"), h("p", { role: "alert" }, problem.message));
    return;
  }
  if (showing !== drawing) return; // the reader moved on meanwhile
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
        page.csv
          ? h(
              "button",
              { type: "button", id: "download-csv", onclick: () => download(page.csv.name, page.csv.make()) },
              "Download CSV",
            )
          : null,
        " ",
        h("button", { type: "button", id: "print", onclick: () => window.print() }, "Print"),
      ),
    ),
    page.body,
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

// Live changes redraw the view on screen, at most one redraw at a time: changes that arrive
// during one are taken in by the next.
let redraw = null;
let pending = false;

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
  stopLive = api.subscribe(
    LIVE,
    {},
    (data) => {
      const change = data.contributionChanged;
      const objective = change.contribution.objective;
      if (objective) changed(objective.code);
      announce(
        `${label(change.event.action)}: support from ${change.contribution.contributor?.code ?? "a restricted contributor"}` +
          (objective ? ` to ${objective.code} in ${objective.plan.code}` : "") +
          ". The view is up to date.",
      );
      refresh();
    },
    (problem) => announce(`Live updates paused: ${problem.message ?? "connection lost"}`),
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
    "aria-describedby": "token-help",
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
            session.keep(field.value.trim());
            await start();
          },
        },
        h("label", { for: "token" }, "Your API token"),
        h(
          "p",
          { id: "token-help", class: "help" },
          "Paste the token your organisation issued you. It is kept only while this tab is " +
            "open and sent only to this server.",
        ),
        field,
        error,
        h("button", { type: "submit", id: "sign-in" }, "Sign in"),
      ),
    ),
  );
  field.focus();
}

async function signOut(message = "") {
  stopLive?.();
  stopLive = null;
  session.forget();
  forgetChoices();
  await api.close();
  viewer = null;
  signIn(typeof message === "string" ? message : "");
}

async function start() {
  if (!session.token()) return signIn();
  try {
    viewer = (await api.request(VIEWER)).viewer;
  } catch (problem) {
    session.forget();
    return signIn(
      problem instanceof api.ApiError && problem.status === 401
        ? "This token is not valid (mistyped, expired or revoked)."
        : `Could not sign in: ${problem.message}`,
    );
  }
  layout();
  follow();
  await show();
}

// A printed view shows its figures tables too, folded away on screen.
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details")) details.open = true;
});
window.addEventListener("hashchange", () => {
  if (viewer) show();
});
start();
