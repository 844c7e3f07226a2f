#!/usr/bin/env node
// heapsnapshot-memlab.js FILE: load a .heapsnapshot written by
// gull_heap_snapshot (or (heap-snapshot FILE) in the Lisp) with memlab's
// heap analysis, an existing consumer of V8's format, and print what it
// read: node and edge counts, the most common node names, and the node
// that retains the most (memlab computes dominators itself).  A check that
// an existing tool, not only tools/heapsnapshot-check.py, opens our files.
// Not run by make check (it needs the npm registry):
//   mkdir /tmp/ml && cd /tmp/ml && PUPPETEER_SKIP_DOWNLOAD=1 npm install memlab
//   NODE_PATH=/tmp/ml/node_modules node tools/heapsnapshot-memlab.js FILE
// For big heaps give node memory: node --max-old-space-size=8000 ...
const { getFullHeapFromFile } = require('@memlab/heap-analysis');

(async () => {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: heapsnapshot-memlab.js FILE.heapsnapshot');
    process.exit(2);
  }
  const heap = await getFullHeapFromFile(file);
  let nodes = 0, edges = 0, top = null;
  const byName = new Map();
  heap.nodes.forEach((node) => {
    nodes++;
    edges += node.edge_count;
    byName.set(node.name, (byName.get(node.name) || 0) + 1);
    if (!top || node.retainedSize > top.retainedSize) top = node;
  });
  const names = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(`memlab read ${file}: ${nodes} nodes, ${edges} edges`);
  console.log('most common names: ' + names.map(([n, c]) => `${n} ${c}`).join(', '));
  console.log(`largest retainer: ${top.name}, ${top.retainedSize} bytes retained`);
})().catch((e) => {
  console.error('heapsnapshot-memlab: FAILED: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
