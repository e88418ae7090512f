// "The map moves, the video follows" (issue 9) end to end: a real `pingan serve --cameras`, a
// real HLS stream made by ffmpeg and served from 127.0.0.1, and Chromium playing it. Covers the
// incident's covering cameras (exactly the cones that hold it), the in-view list following the
// map, the player (HLS in the page, RTSP as an address, a refusal in the server's words) and
// the camera.viewed event. Needs ffmpeg (scripts/deps.sh installs it): without it this fails.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN, DISPATCHER, browser, cityServer, mapReady, openConsole, shot, skipReason, sleep, waitFor } from './harness.mjs';

const skip = skipReason();
if (skip) console.log(`# cameras e2e skipped: ${skip}`);

// Dupont Circle, where the incident is.
const DUPONT = { lat: 38.9097, lon: -77.0434 };
// Georgetown, where the map pans to: 1.7 km west, out of every Dupont view at zoom 16.5.
const GEORGETOWN = { lat: 38.9055, lon: -77.0630 };

// Metres to degrees around DC (the cones are a few hundred metres, so planar is plenty).
const M_LAT = 1 / 111_195;
const M_LON = 1 / (111_195 * Math.cos((DUPONT.lat * Math.PI) / 180));
const at = (p, north_m, east_m) => ({ lat: +(p.lat + north_m * M_LAT).toFixed(6), lon: +(p.lon + east_m * M_LON).toFixed(6) });

//            DUP-FAR (600 m N, looks S, reach 300 m: too far)
//
//            DUP-HLS (120 m N, looks S)
//  DUP-AWAY  *incident*   DUP-E (150 m E, looks W)
//  (100 m W, looks W)
//      DUP-DOME (80 m SW, dome, owner_only)
function cameraRows(hlsUrl) {
  const rows = [];
  const add = (id, p, heading, fov, range, kind, url, owner, sharing) =>
    rows.push([id, p.lat, p.lon, heading, fov, range, kind, url, owner, sharing].join(','));
  add('DUP-HLS', at(DUPONT, 120, 0), 180, 60, 250, 'hls', hlsUrl, 'DDOT', 'shared');
  add('DUP-E', at(DUPONT, 0, 150), 270, 90, 300, 'rtsp', 'rtsp://10.20.0.7:554/dupont-east', 'DDOT', 'shared');
  add('DUP-DOME', at(DUPONT, -57, -57), 0, 360, 150, 'rtsp', 'rtsp://10.20.0.8:554/dupont-dome', 'MPD-2D', 'owner_only');
  add('DUP-AWAY', at(DUPONT, 0, -100), 270, 60, 300, 'rtsp', 'rtsp://10.20.0.9:554/dupont-west', 'DDOT', 'shared');
  add('DUP-FAR', at(DUPONT, 600, 0), 180, 60, 300, 'webrtc', 'https://vms.example.org/whep/dupont-far', 'DDOT', 'shared');
  add('GTN-1', at(GEORGETOWN, 0, 0), 90, 90, 200, 'rtsp', 'rtsp://10.20.1.1:554/georgetown-1', 'DDOT', 'shared');
  add('GTN-2', at(GEORGETOWN, 150, -120), 200, 70, 250, 'hls', 'https://vms.example.org/georgetown-2/index.m3u8', 'DDOT', 'on_request');
  add('CHT-1', { lat: 38.9284, lon: -77.0325 }, 0, 90, 200, 'rtsp', 'rtsp://10.20.2.1:554/columbia-heights', 'DDOT', 'shared');
  add('ADM-1', { lat: 38.9215, lon: -77.0425 }, 45, 120, 200, 'rtsp', 'rtsp://10.20.3.1:554/adams-morgan', 'DDOT', 'shared');
  add('LOG-1', { lat: 38.9096, lon: -77.0297 }, 0, 360, 100, 'rtsp', 'rtsp://10.20.4.1:554/logan-circle', 'MPD-3D', 'owner_only');
  // 60 cameras 100 m apart around Cleveland Park: a wide view holds more than the list shows.
  for (let i = 0; i < 60; i++) {
    const p = at({ lat: 38.9346, lon: -77.0580 }, Math.floor(i / 10) * 100, (i % 10) * 100);
    add(`CPK-${String(i).padStart(2, '0')}`, p, (i * 37) % 360, 90, 150, 'rtsp', `rtsp://10.20.5.${i + 1}:554/cpk`, 'DDOT', 'shared');
  }
  return ['id,lat,lon,heading_deg,fov_deg,range_m,stream_kind,stream_url,owner,sharing', ...rows].join('\n') + '\n';
}

// An 8-second HLS test stream (ffmpeg's test pattern, H.264 in MPEG-TS, 2-second segments).
function makeHls(dir) {
  const probe = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('ffmpeg is missing: the camera test plays a real HLS stream made with ffmpeg. ' +
      'Install it (apt-get install ffmpeg; scripts/deps.sh lists it).');
  }
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '8',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '10', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', 'index.m3u8'],
  { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg could not make the HLS stream: ${r.stderr}`);
}

// A stand-in for a video management system: the stream's files over HTTP, from another origin.
function serveDir(dir) {
  const types = { '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t' };
  const server = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.writeHead(204).end();
      return;
    }
    const name = path.basename(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = path.join(dir, name);
    if (!types[path.extname(name)] || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(name)], 'Content-Length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const listed = (page, sel) => page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.dataset.camera), sel);

describe('cameras: the map moves, the video follows', { skip: skip ?? false, timeout: 600_000 }, () => {
  let server;
  let chrome;
  let media;
  let hlsUrl;
  let dir;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-cameras-'));
    makeHls(dir);
    media = await serveDir(dir);
    hlsUrl = `http://127.0.0.1:${media.address().port}/index.m3u8`;
    const csv = path.join(dir, 'cameras.csv');
    fs.writeFileSync(csv, cameraRows(hlsUrl));
    server = await cityServer(['--cameras', csv]);
    chrome = await browser();
  });
  after(async () => {
    await chrome?.close();
    await server?.stop();
    media?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('covering cameras in the detail, the list follows the map, HLS plays, refusals in words, viewing logged', async () => {
    const incident = await server.api('POST', '/api/v1/incidents',
      { ...DUPONT, category: 'assault', priority: 2, description: 'fight at the fountain' }, server.admin);
    const dispatcher = await server.login(DISPATCHER);
    const covering = await server.api('GET', `/api/v1/incidents/${incident.id}/cameras`, undefined, dispatcher);
    const coveringIds = covering.items.map((c) => c.id);
    assert.deepEqual([...coveringIds].sort(), ['DUP-DOME', 'DUP-E', 'DUP-HLS'], 'the server counts the cones that hold Dupont Circle');
    assert.ok(covering.items.every((c) => !('stream_url' in c)), 'lists carry no stream address');

    const { context, page } = await openConsole(chrome, server, DISPATCHER, 'en');
    await mapReady(page);

    // The detail lists exactly the cameras whose cone covers the incident, best view first.
    await page.click('#tab-queue');
    await page.click(`#queue-pending tr[data-id="${incident.id}"]`);
    await waitFor(page, '#detail-cameras li[data-camera]', { timeout: 30_000 });
    assert.deepEqual(await listed(page, '#detail-cameras li[data-camera]'), coveringIds);
    const detailText = await page.textContent('#detail-cameras');
    assert.doesNotMatch(detailText, /DUP-AWAY|DUP-FAR/);
    assert.match(await page.textContent('#detail-cameras li[data-camera="DUP-HLS"]'), /\d+ m/, 'with its distance');

    // The cameras panel lists those standing in the map's view (the detail flew to Dupont).
    await page.click('#tab-cameras');
    await page.waitForFunction(() => document.querySelector('#cameras-list tr[data-camera="DUP-HLS"]'), null, { timeout: 30_000 });
    const atDupont = await listed(page, '#cameras-list tr[data-camera]');
    assert.ok(['DUP-HLS', 'DUP-E', 'DUP-DOME', 'DUP-AWAY'].every((id) => atDupont.includes(id)), atDupont.join(' '));
    assert.ok(!atDupont.some((id) => id.startsWith('GTN-')), 'Georgetown is not in view');
    const drawn = () => page.evaluate(() => window.__pinganApp.map.map.queryRenderedFeatures({ layers: ['cameras'] }).map((f) => f.properties.id));
    await page.waitForFunction(() => window.__pinganApp.map.map.queryRenderedFeatures({ layers: ['cameras'] }).length > 0, null, { timeout: 20_000 });
    assert.ok((await drawn()).includes('DUP-HLS'), 'the cameras are drawn on the map');
    await shot(page, 'cameras-dupont');

    // The map moves to Georgetown: the list follows.
    await page.evaluate((p) => window.__pinganApp.map.map.jumpTo({ center: [p.lon, p.lat], zoom: 16.5 }), GEORGETOWN);
    await page.waitForFunction(() => {
      const ids = [...document.querySelectorAll('#cameras-list tr[data-camera]')].map((e) => e.dataset.camera);
      return ids.includes('GTN-1') && !ids.some((id) => id.startsWith('DUP-'));
    }, null, { timeout: 20_000 });
    assert.deepEqual((await listed(page, '#cameras-list tr[data-camera]')).sort(), ['GTN-1', 'GTN-2']);
    assert.equal((await page.textContent('#cameras-count')).trim(), '2');
    await page.waitForFunction(() => window.__pinganApp.map.map.queryRenderedFeatures({ layers: ['cameras'] }).some((f) => f.properties.id === 'GTN-1'), null, { timeout: 20_000 });
    await shot(page, 'cameras-georgetown');

    // A wide view holds more cameras than the list shows: "N of total".
    await page.evaluate(() => window.__pinganApp.map.map.jumpTo({ center: [-77.05, 38.925], zoom: 12 }));
    await page.waitForFunction(() => / of \d+/.test(document.querySelector('#cameras-count')?.textContent ?? ''), null, { timeout: 20_000 });
    assert.match(await page.textContent('#cameras-count'), /^50 of 7\d$/);

    // Play the HLS camera from the incident's detail: the video really plays.
    await page.click('#detail-cameras li[data-camera="DUP-HLS"] button.play');
    await waitFor(page, '#camera-player:not([hidden]) #camera-video', { timeout: 20_000 });
    let time = 0;
    for (let i = 0; i < 150 && time <= 0.5; i++) {
      await sleep(200);
      time = await page.evaluate(() => document.querySelector('#camera-video')?.currentTime ?? 0);
      const problem = await page.evaluate(() => document.querySelector('#camera-player-message')?.textContent);
      if (problem) assert.fail(`the player says: ${problem}`);
    }
    assert.ok(time > 0.5, `the video plays (currentTime ${time})`);
    assert.match(await page.textContent('#camera-player header'), /DUP-HLS/);
    assert.match(await page.textContent('#camera-player header'), new RegExp(incident.number));
    await shot(page, 'cameras-playing');

    // An owner_only camera: the dispatcher is refused, in the server's words.
    const refusal = await fetch(`${server.url}/api/v1/cameras/DUP-DOME/view`, {
      method: 'POST', headers: { Authorization: `Bearer ${dispatcher}`, 'Content-Type': 'application/json' }, body: '{}',
    });
    assert.equal(refusal.status, 403);
    const { detail } = await refusal.json();
    await page.click('#detail-cameras li[data-camera="DUP-DOME"] button.play');
    await waitFor(page, '#camera-player-message.error', { timeout: 20_000 });
    assert.ok((await page.textContent('#camera-player-message')).includes(detail), 'the 403 detail is shown');
    assert.equal(await page.locator('#camera-video').count(), 0, 'the first video was closed');
    await shot(page, 'cameras-refused');

    // An RTSP camera from the in-view list: its address, and that the browser cannot play it.
    await page.evaluate((p) => window.__pinganApp.map.map.jumpTo({ center: [p.lon, p.lat], zoom: 16.5 }), DUPONT);
    await waitFor(page, '#cameras-list tr[data-camera="DUP-E"]', { timeout: 20_000 });
    await page.click('#cameras-list tr[data-camera="DUP-E"] button.play');
    await waitFor(page, '#camera-stream-url', { timeout: 20_000 });
    assert.equal(await page.inputValue('#camera-stream-url'), 'rtsp://10.20.0.7:554/dupont-east');
    assert.match(await page.textContent('#camera-player-message'), /cannot play RTSP streams directly/);
    await page.click('#camera-player-close');
    await waitFor(page, '#camera-player', { state: 'hidden' });

    // Every hand-out is in the event log, with the incident it was for.
    const admin = await server.login(ADMIN);
    const viewed = [];
    for (let after = 0; ;) {
      const page_ = await server.api('GET', `/api/v1/events?after=${after}&limit=1000`, undefined, admin);
      viewed.push(...page_.items.filter((e) => e.kind === 'camera.viewed'));
      if (page_.items.length === 0 || page_.items.at(-1).seq >= page_.head) break;
      after = page_.items.at(-1).seq;
    }
    const hls = viewed.find((e) => e.payload?.camera_id === 'DUP-HLS');
    assert.ok(hls, `camera.viewed for DUP-HLS in ${JSON.stringify(viewed)}`);
    assert.equal(hls.actor, DISPATCHER.username);
    assert.equal(hls.payload.incident_id, incident.id);
    assert.ok(viewed.some((e) => e.payload?.camera_id === 'DUP-E'), 'the RTSP hand-out is logged too');
    assert.ok(!viewed.some((e) => e.payload?.camera_id === 'DUP-DOME'), 'a refusal hands nothing out');
    await context.close();
  });
});
