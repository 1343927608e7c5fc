"""Medians of bert_rounds.sh's 3 rounds: musiclab (default and -march=native builds) and
onnxruntime-node, sentences/s, GFLOP/s and share of the FMA peak measured in the same rounds.

usage: /usr/bin/python3 benchmarks/peers/bert_summary.py OUT_DIR   (OUT_DIR = $MUSICLAB_BENCH_DIR/nn_rounds)
"""
import glob
import json
import os
import re
import statistics
import sys

FLOP_PER_SENTENCE = None  # from the musiclab runs' GFLOPs counter / items_per_second


def peaks(out, kind):
    vals = []
    for f in sorted(glob.glob(os.path.join(out, 'peak%s_r*.txt' % kind))):
        vals.append(sum(float(x) for x in re.findall(r'([0-9.]+) GFLOP/s', open(f).read())))
    return vals


def main():
    out = sys.argv[1]
    p512, p256 = peaks(out, '512'), peaks(out, '256')
    peak = statistics.median(p512)
    print('FMA peak, 2 threads (GFLOP/s): AVX-512 rounds %s -> median %.0f; AVX2 rounds %s -> median %.0f'
          % ([round(x) for x in p512], peak, [round(x) for x in p256], statistics.median(p256)))
    rows = {}
    flop = None
    for tag in ('musiclab', 'musiclab_native'):
        for f in sorted(glob.glob(os.path.join(out, '%s_r*.json' % tag))):
            for b in json.load(open(f))['benchmarks']:
                rows.setdefault((tag, b['name']), []).append(b['items_per_second'])
                if 'GFLOPs' in b:
                    flop = b['GFLOPs'] / b['items_per_second'] * 1e9
    for f in sorted(glob.glob(os.path.join(out, 'ort_r*.json'))):
        d = json.load(open(f))
        for k, v in d.items():
            if isinstance(v, dict):
                for bs, r in v.items():
                    rows.setdefault(('onnxruntime-node ' + d['onnxruntime_node_version'], k + ' ' + bs), []).append(
                        r['sentences_per_second'])
    print('FLOP per sentence (matrix products, real token counts): %.1f M' % (flop / 1e6))
    print('%-34s %-62s %s' % ('runtime', 'configuration', 'sentences/s per round -> median (GFLOP/s, share of peak)'))
    for (tag, name), v in rows.items():
        m = statistics.median(v)
        print('%-34s %-62s %s -> %.0f (%.0f, %.0f %%)' % (tag, name, [round(x) for x in v], m, m * flop / 1e9,
                                                          100 * m * flop / 1e9 / peak))


if __name__ == '__main__':
    main()
