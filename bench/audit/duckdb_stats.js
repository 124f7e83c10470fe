// Peer for the audit benchmark (make bench): DuckDB computing only what the
// audit's statistics need from a Parquet file: per numeric column count,
// mean, population std, min and max, and the Pearson correlation of every
// pair of numeric columns (corr() skips rows where either side is null, as
// the audit does), in one scan. The result goes to OUT as JSON.
// usage: NODE_PATH=... node duckdb_stats.js FILE.parquet OUT.json
// Prints "query_s=S cpu_s=C pairs=N" (the query alone, after start-up).
'use strict';
const fs = require('fs');
const { DuckDBInstance } = require('@duckdb/node-api');

(async () => {
  const [file, out] = process.argv.slice(2);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const src = `read_parquet('${file.replace(/'/g, "''")}')`;
  const desc = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRowObjects();
  const num = desc.filter(r => /^(DOUBLE|FLOAT|BIGINT|INTEGER|SMALLINT|TINYINT|BOOLEAN|DECIMAL)/.test(r.column_type))
    .map(r => r.column_name);
  const q = n => '"' + n.replace(/"/g, '""') + '"';
  const sel = [];
  for (const c of num) {
    const x = `${q(c)}::DOUBLE`;
    sel.push(`count(${x})`, `avg(${x})`, `stddev_pop(${x})`, `min(${x})`, `max(${x})`);
  }
  for (let i = 0; i < num.length; i++)
    for (let j = i + 1; j < num.length; j++)
      sel.push(`corr(${q(num[i])}::DOUBLE, ${q(num[j])}::DOUBLE)`);
  const row = (await con.runAndReadAll(`SELECT ${sel.join(', ')} FROM ${src}`)).getRows()[0];
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  fs.writeFileSync(out, JSON.stringify({ columns: num, values: row.map(v => (typeof v === 'bigint' ? Number(v) : v)) }));
  const pairs = num.length * (num.length - 1) / 2;
  console.log(`query_s=${secs.toFixed(3)} cpu_s=${((cu.user + cu.system) / 1e6).toFixed(3)} columns=${num.length} pairs=${pairs}`);
})().catch(e => { console.error(`duckdb_stats: ${e.message}`); process.exit(1); });
