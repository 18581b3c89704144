/** What model APIs accept as a tool name (OpenAI's and Anthropic's rule). */
const MAX_NAME = 64;

/** FNV-1a, to shorten a long name into a stable one. */
function shortHash(text: string) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/**
 * Hands out model-safe names (`memory_remember` for `memory.remember`): characters outside
 * `[A-Za-z0-9_-]` become `_`, a name over 64 characters is cut and given a hash of the whole,
 * and a name already taken gets a numbered suffix, so every tool of an agent has its own.
 */
export function toolNamer() {
  const taken = new Set<string>();
  return (displayName: string) => {
    let base = displayName.replace(/[^A-Za-z0-9_-]/g, '_');
    if (base.length > MAX_NAME)
      base = `${base.slice(0, MAX_NAME - 9)}_${shortHash(displayName).padStart(8, '0')}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, MAX_NAME - String(n).length - 1)}_${n}`;
    taken.add(name);
    return name;
  };
}
