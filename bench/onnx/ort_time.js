// Benchmark aid (not part of sigmix): time onnxruntime-node on a raw float32 input.
// Copy into a folder with `npm install --ignore-scripts onnxruntime-node` and set ORT_DIR.
// usage: node ort_time.js MODEL H W THREADS REPEAT [INPUT.f32]
const ort = require('onnxruntime-node');
(async () => {
  const [model, H, W, T, R] = process.argv.slice(2);
  const h = +H, w = +W;
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: +T, interOpNumThreads: 1, executionProviders: ['cpu'] });
  const x = new Float32Array(3 * h * w); const inp = process.argv[7];
  let seed = 12345;
  if (inp) { const b = require("fs").readFileSync(inp); x.set(new Float32Array(b.buffer, b.byteOffset, 3*h*w)); } else for (let i = 0; i < x.length; i++) { seed = (1664525 * seed + 1013904223) >>> 0; x[i] = (seed >>> 8) * 2 ** -22 - 2; }
  const feeds = { input: new ort.Tensor('float32', x, [1, 3, h, w]) };
  await s.run(feeds);
  const t = [];
  for (let i = 0; i < +R; i++) { const t0 = process.hrtime.bigint(); await s.run(feeds); t.push(Number(process.hrtime.bigint() - t0) / 1e6); }
  t.sort((a, b) => a - b);
  console.log(`ort median ${t[t.length >> 1].toFixed(2)} ms per run (${W}x${H}, ${T} thr)`);
})();
