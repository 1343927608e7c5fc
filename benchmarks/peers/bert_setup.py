"""Inputs of the Sentence-BERT benchmark (bench_nn_bert) and of its peers, from
../shared/peers/transformer (the throughput anchor's own code: the same strings, tokenizer,
random weights and ONNX export as bench_torch.py, without its timings).

usage: /usr/bin/python3 benchmarks/peers/bert_setup.py [WORK_DIR]   (default $MUSICLAB_BENCH_DIR or /tmp)
Writes, once:
  WORK_DIR/nn_song_titles_1000.txt        the 1,000 song titles (inputs.song_titles_1000), one per line
  WORK_DIR/anchor/anchor_ids.json         texts + reference-tokenizer ids (what bench_ort.mjs reads)
  WORK_DIR/anchor/model.onnx              torch.onnx.export of the random-weight model (seed 1, N(0, 0.02^2))
  WORK_DIR/anchor/torch_first64.json      float32 torch embeddings of the first 64 titles (batch 32)
  WORK_DIR/anchor/minilm_random_torch/    the same weights as a sentence-transformers folder (model.safetensors
                                          + the real all-MiniLM-L6-v2 text files), so that bench_nn_bert can
                                          check it computes what ORT computes
Then time ORT with: NODE_TF_DIR=/work/peers/node node ../shared/peers/transformer/bench_ort.mjs WORK_DIR
(benchmarks/peers/bert_rounds.sh runs musiclab and ORT interleaved).
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get('MUSICLAB_SHARED_DIR', os.path.join(HERE, '..', '..', '..', 'shared'))
sys.path.insert(0, os.path.join(SHARED, 'peers', 'transformer'))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench_torch import CFG, random_weights  # noqa: E402
from inputs import song_titles_1000  # noqa: E402
from ref_bert import BertTokenizerRef, bert_forward, mean_pool_normalize, pad_batch, save_safetensors  # noqa: E402


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('MUSICLAB_BENCH_DIR', '/tmp')
    out_dir = os.path.join(work, 'anchor')
    os.makedirs(out_dir, exist_ok=True)
    real = os.path.join(SHARED, 'fixtures', 'all-MiniLM-L6-v2-noweights')
    texts = song_titles_1000()
    assert all('\n' not in t for t in texts)
    with open(os.path.join(work, 'nn_song_titles_1000.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(texts) + '\n')
    tok = BertTokenizerRef(os.path.join(real, 'vocab.txt'), max_length=256)
    ids = [tok.encode(t) for t in texts]
    json.dump({'texts': texts, 'ids': ids}, open(os.path.join(out_dir, 'anchor_ids.json'), 'w'), ensure_ascii=False)

    W = random_weights(CFG)
    folder = os.path.join(out_dir, 'minilm_random_torch')
    if os.path.exists(folder):
        shutil.rmtree(folder)
    shutil.copytree(real, folder)
    save_safetensors(os.path.join(folder, 'model.safetensors'), {k: v.numpy() for k, v in W.items()},
                     metadata={'format': 'pt'})

    # embeddings of the first 64 titles, batch 32 in input order (as bench_torch's check)
    with torch.inference_mode():
        res = []
        for s in range(0, 64, 32):
            x, m = pad_batch(ids[s:s + 32])
            res.append(mean_pool_normalize(bert_forward(W, CFG, x, m), m))
        first64 = torch.cat(res)
    json.dump({'first64': first64.tolist()}, open(os.path.join(out_dir, 'torch_first64.json'), 'w'))

    onnx_path = os.path.join(out_dir, 'model.onnx')
    if not os.path.exists(onnx_path):
        class M(torch.nn.Module):
            def forward(self, input_ids, attention_mask, token_type_ids):
                return bert_forward(W, CFG, input_ids, attention_mask, token_type_ids)
        x, m = pad_batch(ids[:2])
        torch.onnx.export(M(), (x, m, torch.zeros_like(x)), onnx_path,
                          input_names=['input_ids', 'attention_mask', 'token_type_ids'],
                          output_names=['last_hidden_state'],
                          dynamic_axes={k: {0: 'batch', 1: 'seq'} for k in
                                        ('input_ids', 'attention_mask', 'token_type_ids', 'last_hidden_state')},
                          opset_version=14, do_constant_folding=True)
    lens = [len(x) for x in ids]
    print(json.dumps({'work_dir': work, 'n': len(texts), 'mean_tokens': float(np.mean(lens)),
                      'min_tokens': min(lens), 'max_tokens': max(lens), 'real_tokens': sum(lens)}))


if __name__ == '__main__':
    main()
