// Optional comparison against onnxruntime-node's Inverse (com.microsoft contrib op). The package
// (~290 MB) is not a dependency: install it anywhere with
//   ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.30.0
// and point ATTUNE_ORT_DIR at that folder (or install it in the repo). Without it, the dense
// benchmark prints the figures recorded the last time the comparison ran.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The slice of the onnxruntime-node API this comparison uses. */
interface OrtTensor {
  data: Float32Array;
}
interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  InferenceSession: { create(model: Uint8Array, opts: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

export function loadOrt(): Ort | null {
  const dirs = [process.env.ATTUNE_ORT_DIR, process.cwd()].filter((d): d is string => !!d);
  for (const dir of dirs) {
    try {
      return createRequire(join(dir, 'noop.js'))('onnxruntime-node') as Ort;
    } catch {
      // not installed there
    }
  }
  return null;
}

// Minimal protobuf writer: just enough of the ONNX schema for a one-node model.
const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 128;
    out.push(b);
  } while (n > 0);
  return out;
};
const field = (num: number, wire: number): number[] => varint(num * 8 + wire);
const int = (num: number, v: number): number[] => [...field(num, 0), ...varint(v)];
const bytes = (num: number, b: number[]): number[] => [...field(num, 2), ...varint(b.length), ...b];
const str = (num: number, s: string): number[] => bytes(num, [...new TextEncoder().encode(s)]);

/** ONNX model: B = Inverse(A) for float32 A of shape [n, n] (symbolic n). */
function inverseModel(): Uint8Array {
  const dim = bytes(1, str(2, 'n'));
  const tensorType = (elem: number) => bytes(1, [...int(1, elem), ...bytes(2, [...dim, ...dim])]);
  const valueInfo = (name: string) => [...str(1, name), ...bytes(2, tensorType(1))];
  const node = [...str(1, 'A'), ...str(2, 'B'), ...str(3, 'inv'), ...str(4, 'Inverse'), ...str(7, 'com.microsoft')];
  const graph = [...bytes(1, node), ...str(2, 'g'), ...bytes(11, valueInfo('A')), ...bytes(12, valueInfo('B'))];
  const opset = (domain: string, version: number) => bytes(8, [...str(1, domain), ...int(2, version)]);
  return Uint8Array.from([...int(1, 8), ...str(2, 'attune-bench'), ...bytes(7, graph), ...opset('', 17), ...opset('com.microsoft', 1)]);
}

/** A one-thread session computing inverses, so the comparison with a single-threaded kernel is fair. */
export async function ortInverter(ort: Ort): Promise<(a: Float32Array, n: number) => Promise<Float32Array>> {
  const session = await ort.InferenceSession.create(inverseModel(), { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  return async (a, n) => (await session.run({ A: new ort.Tensor('float32', a, [n, n]) })).B?.data as Float32Array;
}
