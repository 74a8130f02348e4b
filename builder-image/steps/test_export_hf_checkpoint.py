"""Unit tests of export_hf_checkpoint.py with stubbed torch / transformers / datasets / modelopt
(python3 -m unittest; no GPU and no PyPI packages needed). Run by test/unit/toolchain/step-scripts.test.ts."""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_hf_checkpoint as ex  # noqa: E402


class FakeTensor:
    def __init__(self, rows):
        self.rows = rows

    def to(self, device):
        return self


class FakeTokenizer:
    def __init__(self):
        self.pad_token = None
        self.eos_token = "</s>"
        self.calls = []

    def __call__(self, texts, return_tensors, padding, truncation, max_length):
        self.calls.append({"n": len(texts), "max_length": max_length, "truncation": truncation})
        return {"input_ids": FakeTensor(texts), "attention_mask": FakeTensor(texts)}

    def save_pretrained(self, out):
        with open(os.path.join(out, "tokenizer.json"), "w") as f:
            f.write("{}")
        with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
            f.write("{}")


class FakeModel:
    device = "cuda:0"

    def __init__(self):
        self.batches = 0

    def eval(self):
        return self

    def __call__(self, **kw):
        self.batches += 1


class FakeDataset:
    def __init__(self, columns):
        self.columns = columns
        self.column_names = list(columns)

    def __getitem__(self, key):
        return self.columns[key]


class Recorder:
    def __init__(self):
        self.loads = []
        self.quant_cfg = None
        self.model = FakeModel()
        self.tokenizer = FakeTokenizer()
        self.export_writes = True


def modules(rec, dataset):
    class NoGrad(contextlib.ContextDecorator):
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    torch = type("torch", (), {"no_grad": NoGrad, "inference_mode": NoGrad})
    transformers = type("transformers", (), {
        "AutoTokenizer": type("AT", (), {"from_pretrained": staticmethod(lambda d: rec.tokenizer)}),
        "AutoModelForCausalLM": type("AM", (), {"from_pretrained": staticmethod(lambda d, **kw: rec.model)}),
    })

    def load_dataset(path, name=None, split=None):
        rec.loads.append({"path": path, "name": name, "split": split})
        return dataset

    datasets = type("datasets", (), {"load_dataset": staticmethod(load_dataset)})

    def quantize(model, cfg, forward_loop):
        rec.quant_cfg = cfg
        forward_loop(model)
        return model

    mtq = type("mtq", (), {
        "FP8_DEFAULT_CFG": {"quant_cfg": {"*weight_quantizer": {"num_bits": (4, 3)}}, "algorithm": "max"},
        "NVFP4_DEFAULT_CFG": {"quant_cfg": {"*weight_quantizer": {"num_bits": (2, 1)}}, "algorithm": "max"},
        "FP8_KV_CFG": {"quant_cfg": {"*[kv]_bmm_quantizer": {"num_bits": (4, 3)}}},
        "quantize": staticmethod(quantize),
    })

    def export_hf_checkpoint(model, export_dir):
        if not rec.export_writes:
            with open(os.path.join(export_dir, "config.json"), "w") as f:
                json.dump({"architecture": "LlamaForCausalLM", "mapping": {"world_size": 1}}, f)
            return
        with open(os.path.join(export_dir, "config.json"), "w") as f:
            json.dump({"architectures": ["LlamaForCausalLM"], "quantization_config": {"quant_method": "modelopt"}}, f)
        with open(os.path.join(export_dir, "hf_quant_config.json"), "w") as f:
            json.dump({"quantization": {"quant_algo": "FP8"}}, f)
        with open(os.path.join(export_dir, "model.safetensors"), "w") as f:
            f.write("x")

    return {"torch": torch, "transformers": transformers, "datasets": datasets, "mtq": mtq, "export_hf_checkpoint": export_hf_checkpoint}


def argv(out, dataset="/workspace/calibration/cnn_dailymail", *extra):
    return ["--model_dir", "/workspace/checkpoint", "--output_dir", out, "--qformat", "fp8", "--calib_dataset", dataset,
            "--calib_size", "3", "--calib_max_seq_length", "128", *extra]


class ExportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "out")

    def tearDown(self):
        self.tmp.cleanup()

    def run_main(self, args, rec, dataset):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = ex.main(args, modules(rec, dataset))
        return code, err.getvalue()

    def test_writes_a_unified_hf_checkpoint_calibrated_on_cnn_dailymail_articles(self):
        rec = Recorder()
        code, _ = self.run_main(argv(self.out), rec, FakeDataset({"article": ["a", "", "b", "c", "d"], "highlights": []}))
        self.assertEqual(code, 0)
        self.assertEqual(rec.loads, [{"path": "/workspace/calibration/cnn_dailymail", "name": "3.0.0", "split": "train"}])
        self.assertEqual(rec.model.batches, 3)  # calib_size 3 non-empty samples, batch size 1
        self.assertTrue(all(c["max_length"] == 128 and c["truncation"] for c in rec.tokenizer.calls))
        self.assertEqual(rec.tokenizer.pad_token, "</s>")
        names = set(os.listdir(self.out))
        self.assertTrue({"config.json", "hf_quant_config.json", "model.safetensors", "tokenizer.json"} <= names)
        self.assertNotIn("*[kv]_bmm_quantizer", rec.quant_cfg["quant_cfg"])

    def test_other_datasets_use_the_train_split_text_column(self):
        rec = Recorder()
        code, _ = self.run_main(argv(self.out, "/workspace/calibration/dataset"), rec, FakeDataset({"text": ["x", "y", "z", "w"]}))
        self.assertEqual(code, 0)
        self.assertEqual(rec.loads, [{"path": "/workspace/calibration/dataset", "name": None, "split": "train"}])

    def test_fp8_kv_cache_merges_the_kv_quantizers(self):
        rec = Recorder()
        code, _ = self.run_main(argv(self.out, "/workspace/calibration/cnn_dailymail", "--kv_cache_dtype", "fp8"), rec, FakeDataset({"article": ["a", "b", "c"]}))
        self.assertEqual(code, 0)
        self.assertIn("*[kv]_bmm_quantizer", rec.quant_cfg["quant_cfg"])
        self.assertIn("*weight_quantizer", rec.quant_cfg["quant_cfg"])

    def test_a_dataset_without_the_column_fails_with_code_3(self):
        code, err = self.run_main(argv(self.out, "/workspace/calibration/dataset"), Recorder(), FakeDataset({"content": ["x"]}))
        self.assertEqual(code, 3)
        self.assertIn("no column 'text'", err)

    def test_an_export_that_writes_a_tensorrt_llm_checkpoint_fails_with_code_4(self):
        rec = Recorder()
        rec.export_writes = False
        code, err = self.run_main(argv(self.out), rec, FakeDataset({"article": ["a", "b", "c"]}))
        self.assertEqual(code, 4)
        self.assertIn("no hf_quant_config.json", err)
        self.assertIn("TensorRT-LLM checkpoint", err)

    def test_bad_arguments_exit_2(self):
        for bad in (["--qformat", "int8_sq"], ["--calib_size", "0"]):
            with self.assertRaises(SystemExit) as cm, contextlib.redirect_stderr(io.StringIO()):
                ex.main(argv(self.out) + bad, modules(Recorder(), FakeDataset({})))
            self.assertEqual(cm.exception.code, 2)


if __name__ == "__main__":
    unittest.main()
