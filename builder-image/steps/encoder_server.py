#!/usr/bin/env python3
"""Serve a TensorRT-LLM encoder engine (BERT family or a causal embedding model) over HTTP.

text-embeddings-router cannot load a TensorRT engine and trtllm-serve 1.2 has no embeddings route,
so the bundle's encoder launch runs this: it loads `<engine_dir>/rank0.engine` with
`tensorrt_llm.runtime.Session` (as TensorRT-LLM's BERT example does; inputs `input_ids`,
`input_lengths` and, when the engine declares them, `token_type_ids` / `position_ids`), tokenizes
with the bundle's tokenizer, and serves:

  GET  /health           200 once the engine is loaded
  POST /v1/embeddings    OpenAI embeddings: {"input": str | [str], "model": ...}
  POST /predict          scores of a *ForSequenceClassification engine: {"inputs": [str | [str, str]]}
  POST /rerank           {"query": str, "texts": [str], "raw_scores": bool} -> [{"index", "score"}]

Only the route given by --route (the config's webserver_default_route) and /health are served.
Standard library HTTP server; torch, transformers and tensorrt_llm are imported at start-up.
"""
import argparse
import json
import math
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUTES = ["/v1/embeddings", "/predict", "/rerank"]


def build_parser():
    """The command-line surface (kept equal to ENCODER_SERVER_SURFACE by a test)."""
    p = argparse.ArgumentParser(prog="encoder_server.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--engine_dir", type=str, required=True)
    p.add_argument("--tokenizer_dir", type=str, required=True)
    p.add_argument("--host", type=str, default="0.0.0.0")
    p.add_argument("--port", type=int, default=7997)
    p.add_argument("--route", type=str, required=True, choices=ROUTES)
    p.add_argument("--pooling", type=str, default="cls", choices=["cls", "last", "mean"])
    p.add_argument("--max_batch_size", type=int, required=True)
    p.add_argument("--max_seq_len", type=int, default=None)
    return p


class RequestError(Exception):
    """A bad request: HTTP 400 with this message."""


class EngineRunner:
    """One forward pass of the engine over a batch of token id rows (rank 0, no KV cache)."""

    def __init__(self, engine_dir, modules):
        self.torch = modules["torch"]
        runtime, utils = modules["runtime"], modules["utils"]
        self.TensorInfo = runtime.TensorInfo
        self.trt_dtype_to_torch = utils.trt_dtype_to_torch
        self.torch_dtype_to_trt = utils.torch_dtype_to_trt
        with open(os.path.join(engine_dir, "config.json"), encoding="utf-8") as f:
            self.config = json.load(f)
        with open(os.path.join(engine_dir, "rank0.engine"), "rb") as f:
            self.session = runtime.Session.from_serialized_engine(f.read())
        self.input_names = set(self.session.input_names) if hasattr(self.session, "input_names") else {"input_ids", "input_lengths"}
        build = self.config.get("build_config", {})
        self.max_seq_len = build.get("max_seq_len") or build.get("max_input_len")

    def forward(self, rows, pad_id):
        """Per row: the engine output (hidden states [seq][hidden] or logits [labels]) as lists."""
        torch = self.torch
        batch, seq = len(rows), max(len(r) for r in rows)
        ids = torch.tensor([r + [pad_id] * (seq - len(r)) for r in rows], dtype=torch.int32, device="cuda")
        inputs = {"input_ids": ids, "input_lengths": torch.tensor([len(r) for r in rows], dtype=torch.int32, device="cuda")}
        if "token_type_ids" in self.input_names:
            inputs["token_type_ids"] = torch.zeros_like(ids)
        if "position_ids" in self.input_names:
            inputs["position_ids"] = torch.arange(seq, dtype=torch.int32, device="cuda").unsqueeze(0).expand(batch, -1).contiguous()
        infos = self.session.infer_shapes([self.TensorInfo(n, self.torch_dtype_to_trt(t.dtype), tuple(t.shape)) for n, t in inputs.items()])
        outputs = {i.name: torch.empty(tuple(i.shape), dtype=self.trt_dtype_to_torch(i.dtype), device="cuda") for i in infos}
        if not self.session.run(inputs, outputs, torch.cuda.current_stream().cuda_stream):
            raise RuntimeError("TensorRT engine execution failed")
        torch.cuda.synchronize()
        name = "logits" if "logits" in outputs else "hidden_states" if "hidden_states" in outputs else next(iter(outputs))
        return outputs[name].float().cpu().tolist()


def pool(hidden, length, how):
    """One vector from a sequence's hidden states."""
    if how == "cls":
        return hidden[0]
    if how == "last":
        return hidden[length - 1]
    rows = hidden[:length]
    return [sum(col) / length for col in zip(*rows)]


def normalize(v):
    n = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / n for x in v]


class Encoder:
    """Tokenize, batch, run, pool: the model side of every route."""

    def __init__(self, runner, tokenizer, pooling, max_batch_size, max_seq_len):
        self.runner, self.tokenizer, self.pooling = runner, tokenizer, pooling
        self.max_batch_size = max_batch_size
        self.max_seq_len = max_seq_len or runner.max_seq_len or 512
        pad = getattr(tokenizer, "pad_token_id", None)
        self.pad_id = pad if pad is not None else 0

    def _rows(self, items):
        rows = []
        for item in items:
            enc = self.tokenizer(*item, truncation=True, max_length=self.max_seq_len) if isinstance(item, tuple) else self.tokenizer(item, truncation=True, max_length=self.max_seq_len)
            rows.append(list(enc["input_ids"]))
        return rows

    def _run(self, items):
        out, tokens = [], 0
        for start in range(0, len(items), self.max_batch_size):
            rows = self._rows(items[start : start + self.max_batch_size])
            tokens += sum(len(r) for r in rows)
            results = self.runner.forward(rows, self.pad_id)
            for row, res in zip(rows, results):
                out.append((row, res))
        return out, tokens

    def embed(self, texts):
        results, tokens = self._run(texts)
        return [normalize(pool(res, len(row), self.pooling)) for row, res in results], tokens

    def score(self, items):
        results, _ = self._run(items)
        # Classification engines output logits per sequence; hidden-state engines are pooled.
        return [res if not isinstance(res[0], list) else pool(res, len(row), self.pooling) for row, res in results]


def handle(encoder, route, path, body):
    """(status, JSON-able answer) for one request; pure over the encoder."""
    if path == "/health":
        return 200, {"status": "ok"}
    if path != route:
        return 404, {"error": f"no route {path}; this server serves {route}"}
    try:
        req = json.loads(body or b"{}")
    except ValueError:
        return 400, {"error": "body is not JSON"}
    try:
        if route == "/v1/embeddings":
            inp = req.get("input")
            texts = [inp] if isinstance(inp, str) else inp
            if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
                raise RequestError("input must be a string or a non-empty list of strings")
            vectors, tokens = encoder.embed(texts)
            data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
            return 200, {"object": "list", "data": data, "model": req.get("model", "model"), "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
        if route == "/rerank":
            query, texts = req.get("query"), req.get("texts")
            if not isinstance(query, str) or not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
                raise RequestError("rerank needs a string query and a non-empty list of string texts")
            scores = [s[0] for s in encoder.score([(query, t) for t in texts])]
            if not req.get("raw_scores", False):
                scores = [1 / (1 + math.exp(-s)) for s in scores]
            return 200, sorted(({"index": i, "score": s} for i, s in enumerate(scores)), key=lambda r: -r["score"])
        inputs = req.get("inputs")
        if not isinstance(inputs, list) or not inputs:
            raise RequestError("inputs must be a non-empty list of strings or [text, text_pair] pairs")
        items = []
        for x in inputs:
            if isinstance(x, str):
                items.append(x)
            elif isinstance(x, list) and len(x) == 2 and all(isinstance(t, str) for t in x):
                items.append((x[0], x[1]))
            else:
                raise RequestError("each input must be a string or a [text, text_pair] pair")
        return 200, {"scores": encoder.score(items)}
    except RequestError as e:
        return 400, {"error": str(e)}


def make_handler(encoder, route):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._answer(*handle(encoder, route, self.path, b"") if self.path == "/health" else (404, {"error": "not found"}))

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            self._answer(*handle(encoder, route, self.path, self.rfile.read(length)))

        def log_message(self, fmt, *args):
            sys.stderr.write("encoder_server: " + (fmt % args) + "\n")

    return Handler


def load_modules():
    import tensorrt_llm._utils as utils
    import tensorrt_llm.runtime as runtime
    import torch
    from transformers import AutoTokenizer

    return {"torch": torch, "runtime": runtime, "utils": utils, "AutoTokenizer": AutoTokenizer}


def main(argv=None, modules=None, serve=True):
    args = build_parser().parse_args(argv)
    if args.max_batch_size < 1 or (args.max_seq_len is not None and args.max_seq_len < 1):
        build_parser().error("--max_batch_size and --max_seq_len must be >= 1")
    mods = modules if modules is not None else load_modules()
    runner = EngineRunner(args.engine_dir, mods)
    tokenizer = mods["AutoTokenizer"].from_pretrained(args.tokenizer_dir)
    encoder = Encoder(runner, tokenizer, args.pooling, args.max_batch_size, args.max_seq_len)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(encoder, args.route))
    print(f"encoder_server: serving {args.route} on {args.host}:{server.server_address[1]}", flush=True)
    if serve:
        server.serve_forever()
    return server


if __name__ == "__main__":
    main()
