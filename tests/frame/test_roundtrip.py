"""write(read(file)) == file, byte for byte, for every framing (hypothesis over generated files)."""
from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.frame import FrameOptions, iter_batches, write_batches

from .framefiles import tiny_chunks, v_file, vb_file

SETTINGS = settings(max_examples=120, deadline=None)
edges = st.binary(max_size=12)
batch_records = st.integers(1, 9)
chunk = st.sampled_from([8, 13, 64, 4 << 20])


def round_trip(data: bytes, options: FrameOptions, records: int, chunk_size: int, **kw) -> list[bytes]:
    with tiny_chunks(chunk_size):
        batches = list(iter_batches(data, options, batch_records=records, **kw))
    out = io.BytesIO()
    write_batches(out, batches, options)
    assert out.getvalue() == data
    return [r for b in batches for r in b.records()]


@SETTINGS
@given(lrecl=st.integers(1, 40), data=st.data(), header=edges, trailer=edges, records=batch_records)
def test_fixed_files_round_trip(lrecl, data, header, trailer, records):
    n = data.draw(st.integers(0, 20))
    body = data.draw(st.binary(min_size=n * lrecl, max_size=n * lrecl))
    options = FrameOptions(recfm="FB", lrecl=lrecl, skip_header_bytes=len(header),
                           skip_trailer_bytes=len(trailer))
    got = round_trip(header + body + trailer, options, records, 4 << 20)
    assert got == [body[i:i + lrecl] for i in range(0, len(body), lrecl)]


@SETTINGS
@given(records_=st.lists(st.binary(min_size=1, max_size=30), max_size=25), records=batch_records,
       chunk_size=chunk)
def test_fixed_files_with_records_of_their_own_length_round_trip(records_, records, chunk_size):
    # each record's first byte is its length
    recs = [bytes([len(r)]) + r[1:] for r in records_]
    options = FrameOptions(recfm="F", lrecl=30, variable_occurs=True)
    got = round_trip(b"".join(recs), options, records, chunk_size,
                     record_length=lambda head: int(head[0]))
    assert got == recs


@SETTINGS
@given(recs=st.lists(st.binary(max_size=300), max_size=30), endian=st.sampled_from(["big", "little"]),
       adjust=st.sampled_from([0, 4]), header=edges, trailer=edges, records=batch_records,
       chunk_size=chunk)
def test_variable_files_round_trip(recs, endian, adjust, header, trailer, records, chunk_size):
    options = FrameOptions(recfm="V", rdw_endian=endian, rdw_adjust=adjust,
                           skip_header_bytes=len(header), skip_trailer_bytes=len(trailer))
    data = header + v_file(recs, endian, adjust) + trailer
    assert round_trip(data, options, records, chunk_size) == recs


blocks = st.lists(st.tuples(st.booleans(), st.lists(st.binary(max_size=200), min_size=1, max_size=6)),
                  max_size=8)


@SETTINGS
@given(blocks_=blocks, endian=st.sampled_from(["big", "little"]), adjust=st.sampled_from([0, 4]),
       header=edges, trailer=edges, records=batch_records, chunk_size=chunk)
def test_blocked_files_with_standard_and_extended_bdws_round_trip(blocks_, endian, adjust, header,
                                                                  trailer, records, chunk_size):
    options = FrameOptions(recfm="VB", bdw=True, rdw_endian=endian, rdw_adjust=adjust,
                           skip_header_bytes=len(header), skip_trailer_bytes=len(trailer))
    data = header + vb_file(blocks_, endian, adjust) + trailer
    assert round_trip(data, options, records, chunk_size) == [r for _, rs in blocks_ for r in rs]


line = st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b"").replace(b"\x15", b""))


@SETTINGS
@given(lines=st.lists(st.tuples(line, st.sampled_from([b"\n", b"\r\n"])), max_size=25),
       last=st.one_of(st.just(b""), line), mode=st.sampled_from(["auto", "crlf"]),
       records=batch_records, chunk_size=chunk)
def test_text_files_with_lf_and_crlf_round_trip(lines, last, mode, records, chunk_size):
    data = b"".join(text + end for text, end in lines) + last
    options = FrameOptions(recfm="TEXT", lrecl=20, text_space=0x20, text_newline=mode)
    got = round_trip(data, options, records, chunk_size)
    assert got == [text for text, _ in lines] + ([last] if last else [])


@SETTINGS
@given(lines=st.lists(line, max_size=25), ends_last=st.booleans(), header=edges, trailer=edges,
       records=batch_records, chunk_size=chunk)
def test_text_files_with_ebcdic_nl_round_trip(lines, ends_last, header, trailer, records, chunk_size):
    data = b"\x15".join(lines) + (b"\x15" if ends_last and lines else b"")
    options = FrameOptions(recfm="TEXT", lrecl=20, text_newline="nl", skip_header_bytes=len(header),
                           skip_trailer_bytes=len(trailer))
    round_trip(header + data + trailer, options, records, chunk_size)


@SETTINGS
@given(lines=st.lists(line, max_size=25), records=batch_records)
def test_text_files_with_lf_only_round_trip(lines, records):
    data = b"".join(text + b"\n" for text in lines)
    round_trip(data, FrameOptions(recfm="TEXT", text_newline="lf", text_space=0x20), records, 4 << 20)


def test_a_failed_write_leaves_no_file_and_keeps_an_earlier_one(tmp_path):
    import numpy as np

    from bridge.frame import FrameOptions, FrameWriter, RecordBatch

    dest = tmp_path / "OUT.dat"
    dest.write_bytes(b"earlier")
    batch = RecordBatch(matrix=np.zeros((2, 4), np.uint8), lengths=np.array([4, 4]))
    try:
        with FrameWriter(dest, FrameOptions(recfm="F", lrecl=4)) as writer:
            writer.write(batch)
            raise RuntimeError("disk on fire")
    except RuntimeError:
        pass
    assert dest.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["OUT.dat"]
    with FrameWriter(dest, FrameOptions(recfm="F", lrecl=4)) as writer:
        writer.write(batch)
    assert dest.read_bytes() == bytes(8)
