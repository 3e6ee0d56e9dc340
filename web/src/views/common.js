// What several views share: links to other views, how restricted support reads, choosers.
import { h } from "../dom.js";
import { label, money } from "../format.js";

/** A link to another view of the dashboard. */
export function link(path, ...text) {
  return h("a", { href: `#${path}` }, ...text);
}

/** A participant by code and name, or what the API withholds from this viewer. */
export function who(participant, withheld = "Restricted contributor") {
  if (!participant) return h("span", { class: "restricted" }, withheld);
  return h("span", { title: participant.name }, participant.code);
}

/** An amount, or "restricted" when the API withholds it from this viewer. */
export function amount(value) {
  if (value === null || value === undefined) {
    return h("span", { class: "restricted" }, "restricted");
  }
  return money(value);
}

/** A contribution's link, named by its contributor and amount as this viewer may see them. */
export function contributionLink(contribution) {
  return link(
    `/contributions/${encodeURIComponent(contribution.id)}`,
    contribution.contributor?.code ?? "Restricted",
    " · ",
    contribution.amount ? money(contribution.amount) : "restricted",
  );
}

// Objectives whose support changed while this page was open (by code, when), so that a view can
// point them out: what moved during the meeting.
const recent = new Map();
const RECENT_MS = 10 * 60 * 1000;

/** Notes that support to an objective changed now. */
export function changed(code) {
  recent.set(code, Date.now());
}

/** Whether support to the objective changed in the last ten minutes. */
export function isRecent(code) {
  const when = recent.get(code);
  return when !== undefined && Date.now() - when < RECENT_MS;
}

/** An objective's code, marked when its support just changed. */
function objectiveCode(code) {
  return [
    h("span", { class: "code" }, code),
    isRecent(code) ? [" ", h("span", { class: "badge" }, "just changed")] : null,
  ];
}

/** The first column of a table of objectives (a row holds its `objective`): code, title, plan
 * and category, marked when its support just changed. */
export const OBJECTIVE_COLUMN = {
  title: "Objective",
  cell: (row) => [
    objectiveCode(row.objective.code),
    " ",
    row.objective.title,
    h("br"),
    h("small", {}, `${row.objective.plan.code} · ${label(row.objective.category)}`),
  ],
  csv: (row) => `${row.objective.code} ${row.objective.title}`,
};

const PARTNERS = `
  query DashboardPartnerChoice {
    partners(first: 100) { nodes { code name plans(first: 1) { totalCount } } }
  }`;

// Asked once per sign-in: the next token may be another person's, so sign-out forgets it.
let partnerChoices = null;

/** Forgets what was fetched for the person signed in (on sign-out). */
export function forgetChoices() {
  partnerChoices = null;
}

/** A labelled select of the partners with a plan; `go(code)` on change ("" for all). */
export async function partnerChooser(request, selected, go, { all = true } = {}) {
  partnerChoices ??= request(PARTNERS)
    .then((data) => data.partners.nodes.filter((partner) => partner.plans.totalCount > 0))
    .catch((problem) => {
      partnerChoices = null; // a failure is not remembered: the next view asks again
      throw problem;
    });
  const partners = await partnerChoices;
  const select = h(
    "select",
    { id: "partner-choice", onchange: (event) => go(event.target.value) },
    all ? h("option", { value: "" }, "All partners") : null,
    partners.map((partner) =>
      h(
        "option",
        { value: partner.code, selected: partner.code === selected },
        `${partner.name} (${partner.code})`,
      ),
    ),
  );
  return h("p", { class: "chooser" }, h("label", { for: "partner-choice" }, "Partner "), select);
}
