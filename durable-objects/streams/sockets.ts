/** Writing to and closing sockets that may be closing meanwhile: their close handlers clean up. */

export function sendRaw(ws: WebSocket, frame: string) {
  try {
    ws.send(frame);
  } catch {
    // A socket that is closing; its close handler cleans up.
  }
}

export const send = (ws: WebSocket, frame: unknown) => sendRaw(ws, JSON.stringify(frame));

export function closeSocket(ws: WebSocket, code: number, reason: string) {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing.
  }
}

/** Answers a client's close (with its code, or a normal one) once the runtime has let it through. */
export function closeBack(ws: WebSocket, code: number, reason: string) {
  closeSocket(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
}
