import WebSocket from 'ws';

/**
 * A cloud page's socket traffic in its own process, as a browser tab would be (bench web-cloud):
 * logs in with the admin token, takes the snapshot, says the first `view` rows are in view, then
 * parses every message until the parent disconnects it. argv: the socket URL and the row count in
 * view; the token comes over IPC so it never shows in `ps`.
 */
const [url = '', inView = '30'] = process.argv.slice(2);
let messages = 0;
let ws: WebSocket | undefined;
process.on('message', (m: unknown) => {
  if (m === 'stop') {
    process.send?.({ messages }, () => {
      ws?.close();
      process.exit(0);
    });
    return;
  }
  open(String(m));
});

function open(token: string): void {
  ws = new WebSocket(url);
  const socket = ws;
  ws.on('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
  socket.on('message', (data) => {
    messages++;
    const m = JSON.parse(String(data)) as { type: string; devices?: Array<{ deviceId: string }> };
    if (m.type === 'snapshot') {
      socket.send(JSON.stringify({ type: 'view', deviceIds: (m.devices ?? []).slice(0, Number(inView)).map((d) => d.deviceId) }));
      process.send?.({ ready: true, rows: m.devices?.length ?? 0 });
    }
  });
  socket.on('close', () => process.exit(0));
}
