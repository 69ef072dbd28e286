// The live socket shared by the phone, screen and moderator pages (docs/protocol.md).
//
// connect(path, {onMessage, onStatus}) opens ws(s)://<this host><path> and keeps it open:
// - reconnects with exponential backoff, 0.5 s doubling to 15 s, with random jitter so that a
//   server restart does not bring every phone back in the same instant; a successful open resets it;
// - sends {"type":"ping"} every 20 s and treats a connection without a pong within 10 s as dead
//   (a phone that slept or changed networks often keeps a socket that will never deliver again);
// - hands every other frame, parsed, to onMessage; reports "connecting", "open", "closed" and
//   "stopped" (the server refused us for good: unknown debate or no moderator session) to onStatus.
// The server sends a full snapshot on every connect, so callers rebuild everything from it.

const FIRST_DELAY = 500;
const MAX_DELAY = 15000;
const PING_EVERY = 20000;
const PONG_WITHIN = 10000;
// Close codes after which trying again cannot help (see docs/protocol.md).
const FINAL_CODES = new Set([4400, 4401, 4404]);

export function connect(path, { onMessage = () => {}, onStatus = () => {} } = {}) {
  let socket = null;
  let delay = FIRST_DELAY;
  let retryTimer = null;
  let pingTimer = null;
  let pongTimer = null;
  let stopped = false;

  function url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}${path}`;
  }

  function clearTimers() {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    pingTimer = pongTimer = null;
  }

  function ping() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: 'ping' }));
    if (pongTimer === null) pongTimer = setTimeout(dead, PONG_WITHIN);
  }

  // Give up on this socket now rather than waiting for the browser to notice: a dead TCP
  // connection can take minutes to report `close`.
  function dead() {
    const old = socket;
    socket = null;
    clearTimers();
    if (old) {
      old.onopen = old.onmessage = old.onclose = old.onerror = null;
      try { old.close(); } catch { /* already closing */ }
    }
    onStatus('closed');
    schedule();
  }

  function schedule() {
    if (stopped || retryTimer !== null) return;
    const cap = Math.min(delay, MAX_DELAY);
    const wait = cap / 2 + Math.random() * cap / 2; // "equal jitter": between half and all of the cap
    delay = Math.min(delay * 2, MAX_DELAY);
    retryTimer = setTimeout(() => { retryTimer = null; open(); }, wait);
  }

  function open() {
    if (stopped || socket) return;
    onStatus('connecting');
    let ws;
    try {
      ws = new WebSocket(url());
    } catch {
      schedule();
      return;
    }
    socket = ws;
    // A handshake that hangs (captive portal, half-open network) counts as dead too.
    pongTimer = setTimeout(dead, PONG_WITHIN);
    ws.onopen = () => {
      delay = FIRST_DELAY;
      clearTimers();
      pingTimer = setInterval(ping, PING_EVERY);
      onStatus('open');
    };
    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!message || typeof message !== 'object') return;
      if (message.type === 'pong') {
        clearTimeout(pongTimer);
        pongTimer = null;
        return;
      }
      onMessage(message);
    };
    ws.onerror = () => { /* a close event follows */ };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      clearTimers();
      if (FINAL_CODES.has(event.code)) {
        stopped = true;
        onStatus('stopped', event.code);
        return;
      }
      onStatus('closed', event.code);
      schedule();
    };
  }

  // Coming back to a sleeping tab or a network: check at once instead of waiting for the timers.
  function wake() {
    if (stopped) return;
    if (socket && socket.readyState === WebSocket.OPEN) {
      ping();
    } else if (!socket) {
      clearTimeout(retryTimer);
      retryTimer = null;
      delay = FIRST_DELAY;
      open();
    }
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wake();
  });
  window.addEventListener('online', wake);

  open();

  return {
    /** Send one message; false when the socket is not open (the caller falls back). */
    send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    get isOpen() {
      return !!socket && socket.readyState === WebSocket.OPEN;
    },
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      const old = socket;
      socket = null;
      clearTimers();
      if (old) old.close();
    },
  };
}
