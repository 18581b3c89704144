// The chat bench's participants, on a thread of their own: 20 sockets' frames are parsed here, so
// they never queue ahead of the sender's stream on the thread that times it (participants of a
// real session are other machines). Frame counts are shared as they arrive, the rest on request.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, token, count, counts } = workerData;
const frames = new Int32Array(counts);
const wallNow = () => performance.timeOrigin + performance.now();

function connect(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    const p = { ws, latencies: [], messageAt: new Map(), firstFrameAt: new Map() };
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.op === 'ready') return resolve(p);
      if (f.op !== 'event') return;
      const e = f.event;
      p.latencies.push(wallNow() - Date.parse(e.time));
      if (e.type === 'message') p.messageAt.set(e.message.reply_id, Date.parse(e.time));
      if (e.type === 'frame') {
        Atomics.add(frames, i, 1);
        if ('content' in e.frame && !p.firstFrameAt.has(e.reply_id))
          p.firstFrameAt.set(e.reply_id, Date.parse(e.time));
      }
    });
    ws.on('error', reject);
  });
}

const people = [];
for (let i = 0; i < count; i++) people.push(await connect(i));
parentPort.postMessage({ ready: true });

parentPort.on('message', (op) => {
  if (op === 'reset') {
    for (const p of people) {
      p.latencies.length = 0;
      p.messageAt.clear();
      p.firstFrameAt.clear();
    }
    parentPort.postMessage({ reset: true });
  } else if (op === 'collect') {
    parentPort.postMessage({
      latencies: people.flatMap((p) => p.latencies),
      // From the object's send of a user message to its reply's first `{content}` frame (participant 0).
      inObject: [...people[0].firstFrameAt].map(([reply, at]) => at - people[0].messageAt.get(reply)),
    });
  } else if (op === 'close') {
    for (const p of people) p.ws.close();
    parentPort.close();
  }
});
