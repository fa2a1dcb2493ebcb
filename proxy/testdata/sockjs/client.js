// A real SockJS client (the sockjs-client npm package, as the legacy browser SDK uses it)
// talking RTM through lcgate: it logs in, starts a chat, and prints every frame it receives
// as one JSON line. Usage: node client.js <base URL> <token>
const SockJS = require('sockjs-client');

const [base, token] = process.argv.slice(2);
const sock = new SockJS(base, null, { transports: ['websocket'] });
const timer = setTimeout(() => { console.error('timeout'); process.exit(2); }, 15000);
let answers = 0;

sock.onopen = () => {
  process.stdout.write(JSON.stringify({ event: 'open', transport: sock.transport }) + '\n');
  sock.send(JSON.stringify({ request_id: '1', action: 'login', payload: { token: 'Bearer ' + token } }));
};
sock.onmessage = (e) => {
  process.stdout.write(e.data + '\n');
  const frame = JSON.parse(e.data);
  if (frame.type === 'response' && frame.request_id === '1') {
    sock.send(JSON.stringify({ request_id: '2', action: 'start_chat',
      payload: { chat: { thread: { events: [{ type: 'message', text: 'Hello from SockJS' }] } } } }));
  }
  if (frame.type === 'push' && frame.request_id === '2') {
    clearTimeout(timer);
    sock.close();
  }
};
sock.onclose = (e) => {
  process.stdout.write(JSON.stringify({ event: 'close', code: e.code }) + '\n');
  process.exit(0);
};
