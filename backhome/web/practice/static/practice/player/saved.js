// What the player keeps on this device (localStorage): its place in a session and the mute setting.
// Storage that cannot be used (private mode) is not an error: the player still works, it just cannot
// resume after a reload.

export function store(key, value) {
  try {
    if (value === null) {
      localStorage.removeItem(key);
    } else {
      localStorage.setItem(key, typeof value === "string" ? value : JSON.stringify(value));
    }
  } catch (e) { /* private mode */ }
}

export function recall(key) {
  try {
    return localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

// Every saved value whose key starts with ``prefix``: [{key, state}] (state null when unreadable).
export function savedStates(prefix) {
  const found = [];
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key && key.indexOf(prefix) === 0) {
        let value = null;
        try { value = JSON.parse(localStorage.getItem(key)); } catch (e) { value = null; }
        found.push({ key, state: value });
      }
    }
  } catch (e) { /* no storage */ }
  return found;
}
