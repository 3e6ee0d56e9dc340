// Who is signed in: the token a person pasted, kept for this browser tab's session only
// (sessionStorage: gone when the tab closes, never in a URL, never sent to another site).

const KEY = "coordination.token";

export function token() {
  return sessionStorage.getItem(KEY);
}

export function keep(value) {
  sessionStorage.setItem(KEY, value);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}
