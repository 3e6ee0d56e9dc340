// Building the page: elements from plain values, never from HTML strings, so no text from the
// API can become markup.

/** An element: `h("a", { href: "#/x", class: "c" }, "text", child)`. Attributes that are
 * null, undefined or false are left out; `on*` attributes are listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "style") {
      // Through the CSSOM, which the page's Content-Security-Policy allows (style attributes
      // written as text it refuses).
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
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what `element` holds. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A note for the screen reader's polite live region and for the eye, in `#status`. */
export function announce(message) {
  const status = document.getElementById("status");
  if (status) status.textContent = message;
}
