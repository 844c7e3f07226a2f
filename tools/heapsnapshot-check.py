#!/usr/bin/env python3
"""heapsnapshot-check.py FILE [--nodes N] [--edges E] [--name NAME=COUNT ...]

Strict structural check of a V8 .heapsnapshot file (as gull_heap_snapshot
writes it, and as Chrome DevTools' Memory panel reads it):
  - the top-level keys and the snapshot meta (node/edge fields and types);
  - node_count and edge_count against the lengths of "nodes" and "edges";
  - every number an integer >= 0; node and edge types in range;
  - the edges of all nodes add up to the edge array (edge_count fields);
  - every to_node a multiple of the node field count and inside "nodes";
  - every string index (node names, property edge names) inside "strings";
  - node ids unique; node 0 synthetic.
Options check the object count (nodes minus synthetic), the edge count,
and how many nodes carry a given name.  Prints a one-line summary; exit 1
with the first problem otherwise.
"""
import collections
import json
import sys


def fail(msg):
    print("heapsnapshot-check: FAIL: " + msg)
    sys.exit(1)


def main(argv):
    args = argv[1:]
    if not args:
        print(__doc__)
        return 2
    path = args.pop(0)
    want_nodes = want_edges = None
    want_names = {}
    while args:
        a = args.pop(0)
        if a == "--nodes":
            want_nodes = int(args.pop(0))
        elif a == "--edges":
            want_edges = int(args.pop(0))
        elif a == "--name":
            k, v = args.pop(0).rsplit("=", 1)
            want_names[k] = int(v)
        else:
            fail("unknown argument " + a)
    with open(path, "rb") as f:
        data = json.loads(f.read().decode("utf-8"))
    keys = ["snapshot", "nodes", "edges", "trace_function_infos", "trace_tree",
            "samples", "locations", "strings"]
    if list(data.keys()) != keys:
        fail("top-level keys %r, expected %r" % (list(data.keys()), keys))
    snap = data["snapshot"]
    meta = snap["meta"]
    nf = meta["node_fields"]
    ef = meta["edge_fields"]
    if nf[:6] != ["type", "name", "id", "self_size", "edge_count", "trace_node_id"]:
        fail("node_fields %r" % nf)
    if ef != ["type", "name_or_index", "to_node"]:
        fail("edge_fields %r" % ef)
    if len(meta["node_types"]) != len(nf) or len(meta["edge_types"]) != len(ef):
        fail("node_types/edge_types do not have one entry per field")
    node_types = meta["node_types"][0]
    edge_types = meta["edge_types"][0]
    N, E = len(nf), len(ef)
    nodes, edges, strings = data["nodes"], data["edges"], data["strings"]
    if not all(isinstance(s, str) for s in strings):
        fail("a string that is not a string")
    for name, arr in (("nodes", nodes), ("edges", edges)):
        for v in arr:
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                fail("%s holds %r, not an integer >= 0" % (name, v))
    if len(nodes) != snap["node_count"] * N:
        fail("nodes has %d numbers, node_count %d x %d fields" % (len(nodes), snap["node_count"], N))
    if len(edges) != snap["edge_count"] * E:
        fail("edges has %d numbers, edge_count %d x %d fields" % (len(edges), snap["edge_count"], E))
    t_synth = node_types.index("synthetic")
    e_prop = edge_types.index("property")
    ids = set()
    total_edges = 0
    synthetic = 0
    names = collections.Counter()
    for i in range(0, len(nodes), N):
        t, name, nid, size, ec = nodes[i:i + 5]
        if t >= len(node_types):
            fail("node %d: type %d out of range" % (i // N, t))
        if name >= len(strings):
            fail("node %d: name index %d out of range" % (i // N, name))
        if nid in ids:
            fail("node %d: id %d not unique" % (i // N, nid))
        ids.add(nid)
        total_edges += ec
        if t == t_synth:
            synthetic += 1
        else:
            names[strings[name]] += 1
    if nodes and nodes[0] != t_synth:
        fail("node 0 is not synthetic")
    if total_edges != snap["edge_count"]:
        fail("the nodes' edge_count fields add up to %d, edge_count is %d" % (total_edges, snap["edge_count"]))
    for j in range(0, len(edges), E):
        t, name, to = edges[j:j + 3]
        if t >= len(edge_types):
            fail("edge %d: type %d out of range" % (j // E, t))
        if t == e_prop and name >= len(strings):
            fail("edge %d: name index %d out of range" % (j // E, name))
        if to % N != 0 or to >= len(nodes):
            fail("edge %d: to_node %d is not a node (multiple of %d below %d)" % (j // E, to, N, len(nodes)))
    objects = snap["node_count"] - synthetic
    if want_nodes is not None and objects != want_nodes:
        fail("%d object nodes, expected %d" % (objects, want_nodes))
    if want_edges is not None and snap["edge_count"] != want_edges:
        fail("%d edges, expected %d" % (snap["edge_count"], want_edges))
    for k, v in want_names.items():
        if names[k] != v:
            fail("%d nodes named %r, expected %d" % (names[k], k, v))
    print("heapsnapshot-check: ok: %d nodes (%d objects, %d synthetic), %d edges, %d strings"
          % (snap["node_count"], objects, synthetic, snap["edge_count"], len(strings)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
