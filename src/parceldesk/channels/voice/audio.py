"""Telephone audio: G.711 μ-law at 8 kHz to and from float samples, and resampling.

μ-law is the telephone network's 8-bit companding (ITU-T G.711); the tables are computed once,
on first use. Resampling uses soxr (a well-kept resampler) when the voice extra is installed.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

TELEPHONE_RATE = 8000
FRAME_MS = 20
FRAME_SAMPLES = TELEPHONE_RATE * FRAME_MS // 1000  # 160 samples, 160 μ-law bytes
_BIAS, _CLIP = 0x84, 32635

Samples = npt.NDArray[np.float32]


@cache
def _decode_table() -> npt.NDArray[np.int16]:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign, exponent, mantissa = codes & 0x80, (codes >> 4) & 0x07, codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def decode_ulaw(data: bytes) -> Samples:
    """μ-law bytes to float samples in [-1, 1]."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return (_decode_table()[codes].astype(np.float32) / 32768.0).astype(np.float32)


def encode_ulaw(samples: Samples) -> bytes:
    """Float samples in [-1, 1] to μ-law bytes."""
    pcm = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0
    value = pcm.astype(np.int32)
    sign = np.where(value < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(value), _CLIP) + _BIAS
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    code = ~(sign | (exponent << 4) | mantissa) & 0xFF
    return bytes(code.astype(np.uint8).tobytes())


def to_pcm16(samples: Samples) -> bytes:
    """Float samples to 16-bit little-endian PCM (what voice-activity detectors read)."""
    clipped = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return bytes((clipped * 32767.0).astype("<i2").tobytes())


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    """``samples`` at ``to_rate`` (soxr's high-quality conversion)."""
    if from_rate == to_rate or len(samples) == 0:
        return np.asarray(samples, dtype=np.float32)
    import soxr  # the voice extra

    out = soxr.resample(np.asarray(samples, dtype=np.float32), from_rate, to_rate)
    return np.asarray(out, dtype=np.float32)


def frames_of(data: bytes, size: int = FRAME_SAMPLES) -> list[bytes]:
    """``data`` cut into frames of ``size`` bytes (the last one padded with μ-law silence)."""
    frames = [data[i : i + size] for i in range(0, len(data), size)]
    if frames and len(frames[-1]) < size:
        frames[-1] = frames[-1] + b"\xff" * (size - len(frames[-1]))
    return frames
