// Follows /api/v1/stream as the console does and shows each new incident's number, nothing else:
// no map, no queue. Sets the hooks console_bench.mjs reads (__pinganFirstPaint when the stream
// is open, __pinganSeen per incident), so the benchmark measures this page as a console.
const seen = [];
window.__pinganSeen = seen;
const ws = new WebSocket(`ws://${location.host}/api/v1/stream?token=${sessionStorage.getItem('pingan.token')}`);
ws.onopen = () => {
  // Nothing is drawn but the text: `floor` tells the benchmark not to count incidents drawn.
  window.__pinganRendered = { incidents: 1, units: 1, floor: true };
  window.__pinganReady = performance.now();
  window.__pinganFirstPaint = performance.now();
};
ws.onmessage = (m) => {
  const e = JSON.parse(m.data);
  if (e.kind !== 'incident.created' || !e.payload) return;
  const applied = Date.now();
  document.getElementById('last').textContent = e.payload.number ?? String(e.payload.id);
  requestAnimationFrame(() => seen.push({ id: e.payload.id, at: e.at, applied, seen: Date.now() }));
};
