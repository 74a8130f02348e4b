#!/usr/bin/env python3
"""Calibrate a Hugging Face checkpoint with ModelOpt PTQ and export a ModelOpt *unified HF
checkpoint* for `trtllm-serve --backend pytorch` (TensorRT-LLM 1.2).

`examples/quantization/quantize.py` writes a TensorRT-LLM checkpoint (for trtllm-build); the
PyTorch backend loads Hugging Face-format checkpoints instead: config.json with
`quantization_config`, hf_quant_config.json, *.safetensors and the tokenizer. This script writes
that, calibrating on the mirrored dataset the way quantize.py reads it: a path containing
`cnn_dailymail` is loaded as config 3.0.0, column `article`; any other dataset from split `train`,
column `text`.

Runs in the step image (the pinned TensorRT-LLM release image, which ships `modelopt`,
`transformers`, `datasets` and `torch`, plus this script). Exit codes: 0 done, 2 bad arguments,
3 unusable calibration data, 4 the export did not produce a unified HF checkpoint.
"""
import argparse
import copy
import json
import os
import sys

QFORMAT_CONFIGS = {"fp8": "FP8_DEFAULT_CFG", "nvfp4": "NVFP4_DEFAULT_CFG"}
KV_CACHE_CONFIGS = {"fp8": "FP8_KV_CFG"}


class StepError(Exception):
    """A failure with an exit code and a one-line message for the build log."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def build_parser():
    """The command-line surface (kept equal to EXPORT_HF_CHECKPOINT_SURFACE by a test)."""
    p = argparse.ArgumentParser(prog="export_hf_checkpoint.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--model_dir", type=str, required=True, help="Hugging Face checkpoint directory")
    p.add_argument("--output_dir", type=str, required=True, help="where the unified HF checkpoint is written")
    p.add_argument("--qformat", type=str, required=True, choices=sorted(QFORMAT_CONFIGS))
    p.add_argument("--kv_cache_dtype", type=str, default=None, choices=sorted(KV_CACHE_CONFIGS))
    p.add_argument("--calib_dataset", type=str, required=True, help="local dataset directory (mirrored)")
    p.add_argument("--calib_size", type=int, default=512)
    p.add_argument("--calib_max_seq_length", type=int, default=512)
    p.add_argument("--batch_size", type=int, default=1)
    return p


def calibration_texts(datasets, path, size):
    """The first `size` non-empty samples, read the way quantize.py reads `path`."""
    if "cnn_dailymail" in path:
        ds, column = datasets.load_dataset(path, name="3.0.0", split="train"), "article"
    else:
        ds, column = datasets.load_dataset(path, split="train"), "text"
    if column not in ds.column_names:
        raise StepError(3, f"calibration dataset {path}: split train has no column {column!r} (columns: {', '.join(ds.column_names)})")
    texts = [t for t in ds[column][: size * 2] if isinstance(t, str) and t.strip()][:size]
    if not texts:
        raise StepError(3, f"calibration dataset {path}: no non-empty {column!r} samples")
    return texts


def calibration_batches(tokenizer, texts, batch_size, max_len):
    """Tokenized batches, truncated to `max_len` tokens."""
    return [
        tokenizer(texts[i : i + batch_size], return_tensors="pt", padding=True, truncation=True, max_length=max_len)
        for i in range(0, len(texts), batch_size)
    ]


def quant_config(mtq, qformat, kv_cache_dtype):
    """The ModelOpt config for the format, with FP8 KV-cache quantizers merged in when asked."""
    cfg = copy.deepcopy(getattr(mtq, QFORMAT_CONFIGS[qformat]))
    if kv_cache_dtype is not None:
        cfg["quant_cfg"].update(copy.deepcopy(getattr(mtq, KV_CACHE_CONFIGS[kv_cache_dtype])["quant_cfg"]))
    return cfg


def check_unified_checkpoint(output_dir):
    """Refuses output that trtllm-serve --backend pytorch would not load as a quantized HF checkpoint."""
    names = set(os.listdir(output_dir)) if os.path.isdir(output_dir) else set()
    problems = []
    config = {}
    if "config.json" in names:
        with open(os.path.join(output_dir, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
    if "quantization_config" not in config:
        problems.append("config.json without quantization_config")
    if "architecture" in config and "mapping" in config:
        problems.append("config.json is a TensorRT-LLM checkpoint config")
    if "hf_quant_config.json" not in names:
        problems.append("no hf_quant_config.json")
    if not any(n.endswith(".safetensors") for n in names):
        problems.append("no *.safetensors")
    if not names & {"tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt"}:
        problems.append("no tokenizer")
    if problems:
        raise StepError(4, f"{output_dir} is not a unified HF checkpoint: {'; '.join(problems)}")


def run(args, modules):
    """Calibrate, quantize, export, verify. `modules` holds torch, transformers, datasets, mtq, export."""
    torch, transformers, datasets = modules["torch"], modules["transformers"], modules["datasets"]
    mtq, export_hf_checkpoint = modules["mtq"], modules["export_hf_checkpoint"]
    tokenizer = transformers.AutoTokenizer.from_pretrained(args.model_dir)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = transformers.AutoModelForCausalLM.from_pretrained(args.model_dir, torch_dtype="auto", device_map="auto")
    model.eval()
    texts = calibration_texts(datasets, args.calib_dataset, args.calib_size)
    batches = calibration_batches(tokenizer, texts, args.batch_size, args.calib_max_seq_length)
    print(f"[export] calibrating {args.qformat} on {len(texts)} samples (max {args.calib_max_seq_length} tokens) from {args.calib_dataset}", flush=True)

    def forward_loop(m):
        for i, batch in enumerate(batches):
            m(**{k: v.to(m.device) for k, v in batch.items()})
            print(f"[export] calibration batch {i + 1}/{len(batches)}", flush=True)

    with torch.no_grad():
        model = mtq.quantize(model, quant_config(mtq, args.qformat, args.kv_cache_dtype), forward_loop)
    os.makedirs(args.output_dir, exist_ok=True)
    with torch.inference_mode():
        export_hf_checkpoint(model, export_dir=args.output_dir)
    tokenizer.save_pretrained(args.output_dir)
    check_unified_checkpoint(args.output_dir)
    print(f"[export] wrote a ModelOpt unified HF checkpoint to {args.output_dir}", flush=True)


def load_modules():
    """The real libraries (imported late so that --help works without them)."""
    import datasets
    import modelopt.torch.quantization as mtq
    import torch
    import transformers
    from modelopt.torch.export import export_hf_checkpoint

    return {"torch": torch, "transformers": transformers, "datasets": datasets, "mtq": mtq, "export_hf_checkpoint": export_hf_checkpoint}


def main(argv=None, modules=None):
    args = build_parser().parse_args(argv)
    for name in ("calib_size", "calib_max_seq_length", "batch_size"):
        if getattr(args, name) < 1:
            build_parser().error(f"--{name} must be >= 1")
    try:
        run(args, modules if modules is not None else load_modules())
    except StepError as e:
        print(f"export_hf_checkpoint.py: error: {e}", file=sys.stderr)
        return e.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
