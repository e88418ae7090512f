// Map label glyphs without a font server: the style asks for pingan-glyphs://{fontstack}/{range}
// and this protocol draws each 256-character range with TinySDF from the browser's own fonts,
// encoded as the glyph PBF MapLibre expects (the format node-fontnik writes). Chinese
// characters never get here: MapLibre draws them locally itself (localIdeographFontFamily).
import TinySDF from '@mapbox/tiny-sdf';
import maplibregl from 'maplibre-gl';

// Same parameters as server-made glyph PBFs: 24 px, 3 px buffer, radius 8.
const SIZE = 24;
const BUFFER = 3;
const FAMILY = '"Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif';

let sdf: TinySDF | null = null;

// A tiny protobuf writer: just varints and length-delimited fields.
class Writer {
  bytes: number[] = [];
  varint(v: number): void {
    v = v >>> 0;
    while (v > 0x7f) {
      this.bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.bytes.push(v);
  }
  sint(v: number): void {
    this.varint(((v << 1) ^ (v >> 31)) >>> 0);
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  message(field: number, inner: Writer): void {
    this.tag(field, 2);
    this.varint(inner.bytes.length);
    for (const b of inner.bytes) this.bytes.push(b);
  }
  string(field: number, s: string): void {
    const enc = new TextEncoder().encode(s);
    this.tag(field, 2);
    this.varint(enc.length);
    for (const b of enc) this.bytes.push(b);
  }
  raw(field: number, data: Uint8Array | Uint8ClampedArray): void {
    this.tag(field, 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
  }
}

export function glyphRange(fontstack: string, start: number): Uint8Array {
  sdf ??= new TinySDF({ fontSize: SIZE, buffer: BUFFER, radius: 8, cutoff: 0.25, fontFamily: FAMILY });
  const stack = new Writer();
  stack.string(1, fontstack);
  stack.string(2, `${start}-${start + 255}`);
  for (let id = start; id < start + 256; id++) {
    if (id < 32 || (id >= 0xd800 && id <= 0xdfff)) continue;
    let g: ReturnType<TinySDF['draw']>;
    try {
      g = sdf.draw(String.fromCharCode(id));
    } catch {
      continue; // a character the browser's fonts cannot measure is left out, not fatal
    }
    const glyph = new Writer();
    glyph.tag(1, 0);
    glyph.varint(id);
    const w = g.glyphWidth;
    const h = g.glyphHeight;
    if (w > 0 && h > 0) glyph.raw(2, g.data);
    glyph.tag(3, 0);
    glyph.varint(w > 0 && h > 0 ? w : 0);
    glyph.tag(4, 0);
    glyph.varint(w > 0 && h > 0 ? h : 0);
    glyph.tag(5, 0);
    glyph.sint(Math.round(g.glyphLeft));
    // Glyph PBF "top" is measured from an ascender line 24 px above the baseline, less 3.
    glyph.tag(6, 0);
    glyph.sint(Math.round(g.glyphTop - 27));
    glyph.tag(7, 0);
    glyph.varint(Math.round(g.glyphAdvance));
    stack.message(3, glyph);
  }
  const out = new Writer();
  out.message(1, stack);
  return new Uint8Array(out.bytes);
}

export function registerGlyphProtocol(): void {
  maplibregl.addProtocol('pingan-glyphs', async (params) => {
    const m = /^pingan-glyphs:\/\/([^/]+)\/(\d+)-(\d+)/.exec(params.url);
    if (!m) throw new Error(`bad glyph url ${params.url}`);
    const data = glyphRange(decodeURIComponent(m[1]), Number(m[2]));
    return { data: data.buffer };
  });
}
