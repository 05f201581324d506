// The pages' WebSocket: JSON messages in, JSON commands (and binary audio) out, reconnecting with a
// back-off when the server goes away. Plain browser JavaScript, no build step.
export function openSocket({ onOpen, onMessage, onStatus }) {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let ws;
  let delay = 500;
  let stopped = false;
  const connect = () => {
    onStatus('connecting');
    ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      delay = 500;
      onStatus('connected');
      onOpen?.();
    };
    ws.onmessage = (e) => {
      if (typeof e.data === 'string') onMessage(JSON.parse(e.data));
    };
    ws.onclose = (e) => {
      onStatus(e.code === 1008 ? `refused: ${e.reason || 'policy'}` : 'disconnected');
      if (stopped || e.code === 1008) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();
  return {
    send(message) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    },
    sendBinary(buffer) {
      if (ws.readyState === WebSocket.OPEN) ws.send(buffer);
    },
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    close() {
      stopped = true;
      ws.close();
    },
  };
}
