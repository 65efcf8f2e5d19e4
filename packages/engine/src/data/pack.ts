/**
 * A small binary container for model artifacts: a JSON header followed by typed arrays, each
 * 8-byte aligned so they can be viewed in place. Layout: magic "ATN1", u32 header length,
 * header JSON (utf-8), padding, array payloads.
 */
export type PackedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Int8Array | Uint16Array;
type ArrayKind = 'f32' | 'f64' | 'i32' | 'u32' | 'u8' | 'i8' | 'u16';

interface Header {
  meta: unknown;
  arrays: { name: string; kind: ArrayKind; offset: number; length: number }[];
}

const MAGIC = 0x314e5441; // "ATN1" little-endian

function kindOf(a: PackedArray): ArrayKind {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Int8Array) return 'i8';
  if (a instanceof Uint16Array) return 'u16';
  return 'u8';
}

const CTORS = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
  i8: Int8Array,
  u16: Uint16Array,
} as const;

const align8 = (n: number): number => (n + 7) & ~7;

export function pack(meta: unknown, arrays: Record<string, PackedArray>): Uint8Array {
  const names = Object.keys(arrays);
  const entries: Header['arrays'] = [];
  let offset = 0;
  for (const name of names) {
    const a = arrays[name] as PackedArray;
    entries.push({ name, kind: kindOf(a), offset, length: a.length });
    offset = align8(offset + a.byteLength);
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify({ meta, arrays: entries } satisfies Header));
  const start = align8(8 + headerBytes.length);
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  for (const e of entries) {
    const a = arrays[e.name] as PackedArray;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + e.offset);
  }
  return out;
}

export function unpack<M = unknown>(bytes: Uint8Array): { meta: M; arrays: Record<string, PackedArray> } {
  if (bytes.byteLength < 8) throw new Error('not an Attune artifact: too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not an Attune artifact: bad magic');
  const headerLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  const start = align8(8 + headerLength);
  const arrays: Record<string, PackedArray> = {};
  for (const e of header.arrays) {
    const Ctor = CTORS[e.kind];
    const byteLength = e.length * Ctor.BYTES_PER_ELEMENT;
    // copy so the result is aligned and independent of the input buffer
    const copy = new Uint8Array(byteLength);
    copy.set(bytes.subarray(start + e.offset, start + e.offset + byteLength));
    arrays[e.name] = new Ctor(copy.buffer);
  }
  return { meta: header.meta as M, arrays };
}
