"""Unit tests of encoder_server.py with a stubbed tensorrt_llm.runtime / torch / tokenizer: the
engine is loaded from the bundle's engine dir, inputs are the ones the engine declares, and every
route answers over real HTTP. Run by test/unit/toolchain/step-scripts.test.ts."""
import json
import os
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import encoder_server as es  # noqa: E402


class T:
    """A tiny tensor: nested lists with the calls the runner makes."""

    def __init__(self, data, dtype="int32"):
        self.data, self.dtype = data, dtype

    @property
    def shape(self):
        s, d = [], self.data
        while isinstance(d, list):
            s.append(len(d))
            d = d[0] if d else None
        return s

    def unsqueeze(self, dim):
        return T([self.data], self.dtype)

    def expand(self, b, _):
        return T([list(self.data[0]) for _ in range(b)], self.dtype)

    def contiguous(self):
        return self

    def float(self):
        return self

    def cpu(self):
        return self

    def tolist(self):
        return self.data


class FakeTorch:
    int32 = "int32"

    class cuda:
        synchronized = 0

        @staticmethod
        def current_stream():
            return type("S", (), {"cuda_stream": 7})()

        @staticmethod
        def synchronize():
            FakeTorch.cuda.synchronized += 1

    @staticmethod
    def tensor(data, dtype, device):
        return T(data, dtype)

    @staticmethod
    def zeros_like(t):
        return T([[0] * len(r) for r in t.data], t.dtype)

    @staticmethod
    def arange(n, dtype, device):
        return T(list(range(n)), dtype)

    @staticmethod
    def empty(shape, dtype, device):
        return T(None, dtype)


class FakeSession:
    loaded = None

    def __init__(self, outputs):
        self.outputs = outputs  # "hidden_states" or "logits"
        self.input_names = ["input_ids", "input_lengths", "token_type_ids"]
        self.seen = []

    @classmethod
    def from_serialized_engine(cls, data):
        FakeSession.loaded = data
        return cls(FakeSession.kind)

    def infer_shapes(self, infos):
        shape = dict((i.name, i.shape) for i in infos)["input_ids"]
        if self.outputs == "logits":
            return [es_info("logits", (shape[0], 1))]
        return [es_info("hidden_states", (shape[0], shape[1], 2))]

    def run(self, inputs, outputs, stream):
        self.seen.append(sorted(inputs))
        ids = inputs["input_ids"].data
        if self.outputs == "logits":
            outputs["logits"].data = [[float(sum(r))] for r in ids]
        else:
            outputs["hidden_states"].data = [[[float(tok), 1.0] for tok in r] for r in ids]
        return True


def es_info(name, shape):
    return type("Info", (), {"name": name, "shape": shape, "dtype": "f32"})()


class FakeTokenizer:
    pad_token_id = 0

    def __call__(self, text, pair=None, truncation=True, max_length=None):
        ids = [len(w) for w in (text + (" " + pair if pair else "")).split()][:max_length]
        return {"input_ids": ids}


MODULES = {
    "torch": FakeTorch,
    "runtime": type("rt", (), {"Session": FakeSession, "TensorInfo": staticmethod(lambda n, d, s: type("TI", (), {"name": n, "dtype": d, "shape": s})())}),
    "utils": type("u", (), {"trt_dtype_to_torch": staticmethod(lambda d: d), "torch_dtype_to_trt": staticmethod(lambda d: d)}),
    "AutoTokenizer": type("AT", (), {"from_pretrained": staticmethod(lambda d: FakeTokenizer())}),
}


class ServerTest(unittest.TestCase):
    def start(self, route, kind, pooling="cls"):
        FakeSession.kind = kind
        self.tmp = tempfile.TemporaryDirectory()
        with open(os.path.join(self.tmp.name, "config.json"), "w") as f:
            json.dump({"build_config": {"max_seq_len": 16}}, f)
        with open(os.path.join(self.tmp.name, "rank0.engine"), "wb") as f:
            f.write(b"ENGINE-BYTES")
        args = ["--engine_dir", self.tmp.name, "--tokenizer_dir", "/models/tokenizer", "--host", "127.0.0.1", "--port", "0",
                "--route", route, "--pooling", pooling, "--max_batch_size", "2"]
        self.server = es.main(args, MODULES, serve=False)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.tmp.cleanup()

    def post(self, path, body):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def test_embeddings_load_the_engine_and_answer_openai_shape(self):
        self.start("/v1/embeddings", "hidden_states")
        self.assertEqual(FakeSession.loaded, b"ENGINE-BYTES")
        with urllib.request.urlopen(self.base + "/health") as r:
            self.assertEqual(r.status, 200)
        status, body = self.post("/v1/embeddings", {"input": ["hello big world", "hi", "third one"], "model": "m"})
        self.assertEqual(status, 200)
        self.assertEqual([d["index"] for d in body["data"]], [0, 1, 2])
        first = body["data"][0]["embedding"]  # cls pooling of [[5, 1], [3, 1], [5, 1]] -> [5, 1] normalized
        self.assertAlmostEqual(first[0] ** 2 + first[1] ** 2, 1.0)
        self.assertAlmostEqual(first[0] / first[1], 5.0)
        self.assertEqual(body["usage"]["prompt_tokens"], 3 + 1 + 2)

    def test_last_token_pooling_for_causal_embedding_models(self):
        self.start("/v1/embeddings", "hidden_states", pooling="last")
        _, body = self.post("/v1/embeddings", {"input": "ab cdef"})
        v = body["data"][0]["embedding"]
        self.assertAlmostEqual(v[0] / v[1], 4.0)

    def test_rerank_scores_pairs_with_the_classification_engine(self):
        self.start("/rerank", "logits")
        status, body = self.post("/rerank", {"query": "q", "texts": ["a", "longer text"], "raw_scores": True})
        self.assertEqual(status, 200)
        self.assertEqual([r["index"] for r in body], [1, 0])
        self.assertEqual(body[0]["score"], 1.0 + 6 + 4)

    def test_predict_and_bad_requests(self):
        self.start("/predict", "logits")
        status, body = self.post("/predict", {"inputs": ["abc", ["a", "b"]]})
        self.assertEqual((status, body), (200, {"scores": [[3.0], [2.0]]}))
        self.assertEqual(self.post("/predict", {"inputs": [1]})[0], 400)
        self.assertEqual(self.post("/v1/embeddings", {"input": "x"})[0], 404)


class ArgsTest(unittest.TestCase):
    def test_refuses_unknown_routes(self):
        with self.assertRaises(SystemExit):
            es.build_parser().parse_args(["--engine_dir", "e", "--tokenizer_dir", "t", "--route", "/predict_tokens", "--max_batch_size", "1"])


if __name__ == "__main__":
    unittest.main()
