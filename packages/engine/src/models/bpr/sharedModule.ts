/**
 * Rewrites a WebAssembly binary whose single memory import is unshared into one that imports a
 * shared memory with the given maximum (limits flag 0x03), so worker threads can run the same
 * kernel on one memory (Hogwild). The repository assembles kernels without the threads feature,
 * and a shared import only changes the import's limits, so patching the import section here is
 * simpler than a second build of the kernel. Returns null when the layout is not the expected one.
 */
export function withSharedMemoryImport(bytes: Uint8Array, maxPages: number): Uint8Array | null {
  let p = 8; // magic + version
  while (p < bytes.length) {
    const id = bytes[p] as number;
    const [size, sizeLen] = readLeb(bytes, p + 1);
    const body = p + 1 + sizeLen;
    if (id === 2) {
      const out: number[] = [];
      let q = body;
      const [count, countLen] = readLeb(bytes, q);
      q += countLen;
      out.push(...writeLeb(count));
      let patched = false;
      for (let k = 0; k < count; k++) {
        const start = q;
        for (let name = 0; name < 2; name++) {
          const [len, lenLen] = readLeb(bytes, q);
          q += lenLen + len;
        }
        const kind = bytes[q] as number;
        out.push(...bytes.subarray(start, q + 1));
        q++;
        if (kind !== 2) return null; // only a lone memory import is expected in these kernels
        const flags = bytes[q] as number;
        q++;
        const [min, minLen] = readLeb(bytes, q);
        q += minLen;
        if (flags & 1) q += readLeb(bytes, q)[1];
        out.push(0x03, ...writeLeb(min), ...writeLeb(maxPages));
        patched = true;
      }
      if (!patched || q !== body + size) return null;
      const section = [2, ...writeLeb(out.length), ...out];
      const result = new Uint8Array(bytes.length - (body + size - p) + section.length);
      result.set(bytes.subarray(0, p), 0);
      result.set(section, p);
      result.set(bytes.subarray(body + size), p + section.length);
      return result;
    }
    p = body + size;
  }
  return null;
}

function readLeb(b: Uint8Array, at: number): [number, number] {
  let result = 0;
  let shift = 0;
  let len = 0;
  for (;;) {
    const byte = b[at + len] as number;
    len++;
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) return [result, len];
  }
}

function writeLeb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return out;
}
