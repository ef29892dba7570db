"""Record raw venue frames to disk and read them back for replays (any venue).

``FrameRecorder`` is the live side: pass ``recorder.ws_frame`` to a feed as ``on_raw_frame`` (and
``recorder.rest_snapshot`` for REST snapshots), ``await recorder.start(header)``, ``await
recorder.close()``. ``RecordingReader`` is the replay side: ``header`` and ``records()``, with torn
tails skipped and reported in ``report``. ``brokers.registry.decoder_for(header, sink)`` runs the
recorded frames through the venue's real parser. The file format is described in
``brokers.recording.format``.
"""

from brokers.recording.decoding import DecodeCounts, RecordDecoder, feed_record
from brokers.recording.format import (
    FORMAT_VERSION,
    Record,
    RecordingError,
    RecordingHeader,
    RecordKind,
    part_path,
)
from brokers.recording.reader import ReadReport, RecordingReader
from brokers.recording.recorder import FrameRecorder, RecorderStats
from brokers.recording.tap import RawFrameTap
from brokers.recording.writer import RecordingWriter

__all__ = [
    "FORMAT_VERSION",
    "DecodeCounts",
    "FrameRecorder",
    "RawFrameTap",
    "ReadReport",
    "Record",
    "RecordDecoder",
    "RecordKind",
    "RecorderStats",
    "RecordingError",
    "RecordingHeader",
    "RecordingReader",
    "RecordingWriter",
    "feed_record",
    "part_path",
]
