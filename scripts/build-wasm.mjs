// Assembles every WebAssembly text kernel (packages/engine/src/kernels/wat/*.wat) into a
// binary module next to it, at install time, with the npm-installed wabt assembler.
// The binaries are build output (git-ignored); the engine falls back to plain JS without them.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watDir = join(root, 'packages/engine/src/kernels/wat');

let wabtFactory;
try {
  wabtFactory = (await import('wabt')).default;
} catch {
  console.warn('build-wasm: wabt is not installed (production install?); kernels will use the JS fallback');
  process.exit(0);
}
if (!existsSync(watDir)) process.exit(0);
const wabt = await wabtFactory();
const files = readdirSync(watDir).filter((f) => f.endsWith('.wat'));
for (const file of files) {
  const source = readFileSync(join(watDir, file), 'utf8');
  const mod = wabt.parseWat(file, source, { simd: true, threads: false, bulk_memory: true, mutable_globals: true, sat_float_to_int: true, sign_extension: true, multi_value: true });
  mod.validate();
  const { buffer } = mod.toBinary({ log: false });
  const out = join(watDir, file.replace(/\.wat$/, '.wasm'));
  writeFileSync(out, Buffer.from(buffer));
  mod.destroy();
  console.log(`build-wasm: ${file} -> ${buffer.byteLength} bytes`);
}
