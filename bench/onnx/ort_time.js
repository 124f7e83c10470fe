// Peer for bench/onnx.sh: time onnxruntime-node on a raw float32 input.
// usage: NODE_PATH=... node ort_time.js MODEL H W THREADS REPEAT INPUT.f32
// One warm-up run, then REPEAT timed runs; prints
//   ort median M ms per run, cpu C ms per run
// (CPU: the process's user+sys over the timed runs, all threads, / REPEAT).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');
(async () => {
  const [model, H, W, T, R, inp] = process.argv.slice(2);
  const h = +H, w = +W;
  const s = await ort.InferenceSession.create(model, {
    intraOpNumThreads: +T, interOpNumThreads: 1, executionProviders: ['cpu'] });
  const b = fs.readFileSync(inp);
  if (b.length < 12 * h * w) throw new Error(`${inp}: shorter than 1x3x${h}x${w} float32`);
  const x = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + 12 * h * w));
  const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', x, [1, 3, h, w]) };
  await s.run(feeds);
  const t = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < +R; i++) {
    const t0 = process.hrtime.bigint();
    await s.run(feeds);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const cu = process.cpuUsage(c0);
  t.sort((a, b) => a - b);
  const med = t.length % 2 ? t[t.length >> 1] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
  console.log(`ort median ${med.toFixed(2)} ms per run, cpu ${((cu.user + cu.system) / 1e3 / +R).toFixed(2)} ms per run`);
})().catch(e => { console.error(`ort_time: ${e.message}`); process.exit(1); });
