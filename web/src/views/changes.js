// What changed since a date: the change feed from that day's start, latest first.
import { h } from "../dom.js";
import { label, moment, today } from "../format.js";
import { table } from "../table.js";
import { link, who } from "./common.js";

const QUERY = `
  query DashboardChanges($since: DateTime!) {
    changes(filter: { since: $since }, last: 100) {
      totalCount
      nodes { position occurredAt action entityType entityId redacted actor { code name } }
    }
  }`;

function yesterday() {
  const day = new Date(`${today()}T00:00:00`);
  day.setDate(day.getDate() - 1);
  const local = new Date(day.getTime() - day.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}

/** The start of `day` in the reader's time zone, as an instant the API takes. */
function startOf(day) {
  return new Date(`${day}T00:00:00`).toISOString();
}

function subject(row) {
  if (row.entityType === "Contribution") {
    return link(`/contributions/${encodeURIComponent(row.entityId)}`, "Contribution");
  }
  return row.entityType;
}

export async function changes({ request, params, go }) {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(params[0] ?? "") ? params[0] : yesterday();
  const data = await request(QUERY, { since: startOf(day) });
  const rows = [...data.changes.nodes].reverse();
  const listing = table(
    `${data.changes.totalCount} changes since the start of ${day}` +
      (rows.length < data.changes.totalCount ? `, the latest ${rows.length}` : ""),
    [
      { title: "When", cell: (row) => moment(row.occurredAt) },
      { title: "What", cell: (row) => label(row.action) },
      { title: "To", cell: subject, csv: (row) => `${row.entityType} ${row.entityId}` },
      { title: "Who", cell: (row) => who(row.actor, "withheld") },
      {
        title: "Detail",
        cell: (row) => (row.redacted ? h("span", { class: "restricted" }, "restricted") : "shown"),
      },
      { title: "Position", cell: (row) => row.position, numeric: true },
    ],
    rows,
    { empty: "Nothing has changed since then." },
  );
  listing.element.id = "change-list";
  const input = h("input", { id: "since", type: "date", value: day, max: today() });
  const form = h(
    "form",
    {
      class: "chooser",
      onsubmit: (event) => {
        event.preventDefault();
        if (input.value) go(`/changes/${input.value}`);
      },
    },
    h("label", { for: "since" }, "Since "),
    input,
    " ",
    h("button", { type: "submit" }, "Show"),
  );
  return {
    title: "What changed",
    intro: "Every write to the record since a day began, in your time zone, latest first.",
    controls: [form],
    body: [listing.element],
    csv: { name: `changes-since-${day}.csv`, make: listing.csv },
  };
}
