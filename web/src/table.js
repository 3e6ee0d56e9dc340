// Tables as a meeting reads them: a caption, column headers, and the same rows as CSV.
import { h } from "./dom.js";

/**
 * A table of `rows` by `columns`. Each column is { title, cell(row) -> node or text,
 * csv(row) -> text, numeric, class }; `csv` defaults to the cell's text. `rowClass(row)` may
 * name a class for a row. Returns { element, csv() }.
 */
export function table(caption, columns, rows, { empty = "Nothing to show.", rowClass } = {}) {
  const body = rows.length
    ? rows.map((row) =>
        h(
          "tr",
          { class: rowClass?.(row) || null },
          columns.map((column, index) =>
            h(
              index === 0 ? "th" : "td",
              { scope: index === 0 ? "row" : null, class: classOf(column) },
              column.cell(row),
            ),
          ),
        ),
      )
    : [h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, empty))];
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
        columns.map((column) =>
          h("th", { scope: "col", class: classOf(column) }, column.title),
        ),
      ),
    ),
    h("tbody", {}, body),
  );
  const csv = () => toCsv(columns, rows);
  return { element, csv };
}

function classOf(column) {
  return [column.numeric ? "number" : null, column.class].filter(Boolean).join(" ") || null;
}

function text(value) {
  if (value === null || value === undefined) return "";
  if (value instanceof Node) return value.textContent ?? "";
  if (Array.isArray(value)) return value.map(text).join(" ");
  return String(value);
}

/** RFC 4180 CSV; a text cell that a spreadsheet would run as a formula is kept as text. */
export function toCsv(columns, rows) {
  const quote = (value) => {
    let cell = text(value);
    if (/^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell)) cell = `'${cell}`;
    return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  };
  const lines = [columns.map((column) => quote(column.title))];
  for (const row of rows) {
    lines.push(columns.map((column) => quote((column.csv ?? column.cell)(row))));
  }
  return lines.map((line) => line.join(",")).join("\r\n") + "\r\n";
}

/** Offers `csv` as a file download, made in the browser (no request leaves it). */
export function download(name, csv) {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
