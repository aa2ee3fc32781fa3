// The two carriers of the realtime protocol (docs/protocol.md §3 and §3.1): a WebSocket, or
// Server-Sent Events + POST where WebSockets are blocked. Both offer the same small interface to
// connection.js, which does everything else the same way whatever carries the frames:
//   start(hello), send(frame), close(), ready, and the handlers onmessage(text), onclose(code).
// A link is used once: after onclose, connection.js opens a new one.

const MAX_FRAMES_PER_POST = 200; // the server's limit (sse.py)
// How an HTTP refusal of a new SSE session maps to the close code a socket would have got.
const CLOSE_FOR_STATUS = new Map([
  [400, 4400],
  [401, 4401],
  [403, 4403],
  [404, 4404],
  [503, 1013],
]);
const CLOSE_LOST = 1006; // no close frame: the connection was lost

export class SocketLink {
  constructor(atelierId, { onmessage, onclose }) {
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/ateliers/${atelierId}`;
    this.onmessage = onmessage;
    this.onclose = onclose;
    this.socket = null;
  }

  start(hello) {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => socket.send(JSON.stringify(hello)));
    socket.addEventListener("message", (event) => this.onmessage(event.data));
    socket.addEventListener("close", (event) => this.onclose(event.code));
  }

  get ready() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  send(frame) {
    if (this.ready) this.socket.send(JSON.stringify(frame));
  }

  close() {
    this.socket?.close();
  }
}

export class StreamLink {
  constructor(atelierId, { onmessage, onclose }) {
    this.sessionsUrl = `/rt/ateliers/${atelierId}/sessions`;
    this.onmessage = onmessage;
    this.onclose = onclose;
    this.session = null; // {session, events, messages} once the server opened it
    this.source = null;
    this.queue = []; // frames waiting for the POST in flight to finish: they go together, in order
    this.posting = false;
    this.ended = false;
  }

  start(hello) {
    fetch(this.sessionsUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(hello) })
      .then(async (response) => {
        if (this.ended) return;
        if (response.status !== 201) {
          this.#end(CLOSE_FOR_STATUS.get(response.status) ?? CLOSE_LOST);
          return;
        }
        this.session = await response.json();
        this.#listen();
      })
      .catch(() => this.#end(CLOSE_LOST));
  }

  #listen() {
    const source = new EventSource(this.session.events);
    this.source = source;
    source.addEventListener("message", (event) => this.onmessage(event.data));
    // The server's last word: the code a socket would have been closed with.
    source.addEventListener("close", (event) => this.#end(JSON.parse(event.data).code));
    // EventSource would reconnect to the same session by itself; that session is over: a new one is opened.
    source.addEventListener("error", () => this.#end(CLOSE_LOST));
    this.#flush();
  }

  get ready() {
    return this.session !== null && !this.ended;
  }

  send(frame) {
    if (!this.ready) return;
    this.queue.push(frame);
    this.#flush();
  }

  #flush() {
    if (this.posting || this.ended || !this.session || !this.queue.length) return;
    const batch = this.queue.splice(0, MAX_FRAMES_PER_POST);
    this.posting = true;
    fetch(this.session.messages, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(batch) })
      .then((response) => {
        // 404: the session ended (its stream too): reconnect. Durable frames wait in the outbox.
        if (!response.ok) this.#end(CLOSE_FOR_STATUS.get(response.status) === 4403 ? 4403 : CLOSE_LOST);
      })
      .catch(() => this.#end(CLOSE_LOST))
      .finally(() => {
        this.posting = false;
        this.#flush();
      });
  }

  close() {
    this.#end(1000);
  }

  #end(code) {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.source?.close();
    setTimeout(() => this.onclose(code)); // as a socket's close event: never from within a call
  }
}
