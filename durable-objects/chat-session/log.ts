/** Work the object runs apart from any request failed: logged as one JSON line. */
export function logError(what: string, err: unknown) {
  console.error(
    JSON.stringify({ level: 'error', what, error: err instanceof Error ? err.message : String(err) }),
  );
}
