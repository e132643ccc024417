"""LocalDropZone: the DropZone guarantees on a local folder."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from bridge.errors import TransportError
from bridge.transport import (
    Entry,
    FileMissingError,
    LocalDropZone,
    NameRejectedError,
    TargetExistsError,
    open_dropzone,
)


@pytest.fixture
def zone(tmp_path: Path) -> LocalDropZone:
    return LocalDropZone(tmp_path / "inbox", create=True)


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(3 * (1 << 20) + 17))
    return path


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_put_then_fetch_returns_identical_bytes(zone: LocalDropZone, big_file: Path, tmp_path: Path) -> None:
    entry = zone.put(big_file, "APPL.D261126.DAT")
    assert entry.name == "APPL.D261126.DAT" and entry.size == big_file.stat().st_size
    fetched = zone.fetch("APPL.D261126.DAT", tmp_path / "work.dat")
    assert fetched.size == entry.size
    assert (tmp_path / "work.dat").read_bytes() == big_file.read_bytes()
    assert names(tmp_path) == ["big.bin", "inbox", "work.dat"]


def test_an_upload_in_progress_is_only_visible_under_its_hidden_temporary_name(zone: LocalDropZone,
                                                                               big_file: Path) -> None:
    seen: list[list[str]] = []
    zone.put(big_file, "OUT.DAT", progress=lambda done, total: seen.append(names(zone.folder)))
    assert len(seen) >= 3
    for during in seen:
        assert "OUT.DAT" not in during
        assert len(during) == 1 and during[0].startswith(".OUT.DAT.part-")
    assert names(zone.folder) == ["OUT.DAT"]


def test_a_failed_upload_leaves_neither_the_final_name_nor_the_temporary_file(zone: LocalDropZone,
                                                                               big_file: Path) -> None:
    def fail(done: int, total: int) -> None:
        raise RuntimeError("disk pulled")
    with pytest.raises(RuntimeError):
        zone.put(big_file, "OUT.DAT", progress=fail)
    assert names(zone.folder) == []


def test_put_replaces_an_existing_file_by_default(zone: LocalDropZone) -> None:
    zone.put_bytes(b"old", "STATUS.TXT")
    zone.put_bytes(b"new contents", "STATUS.TXT")
    assert (zone.folder / "STATUS.TXT").read_bytes() == b"new contents"
    assert names(zone.folder) == ["STATUS.TXT"]


def test_exclusive_put_onto_an_existing_file_is_refused_and_changes_nothing(zone: LocalDropZone) -> None:
    zone.put_bytes(b"delivered", "OUT.DAT")
    with pytest.raises(TargetExistsError, match="OUT.DAT.*already exists"):
        zone.put_bytes(b"again", "OUT.DAT", overwrite=False)
    assert (zone.folder / "OUT.DAT").read_bytes() == b"delivered"
    assert names(zone.folder) == ["OUT.DAT"]


def test_listing_shows_regular_files_matching_the_pattern_and_hides_dot_files(zone: LocalDropZone) -> None:
    for name in ["APPL.D1.DAT", "APPL.D1.DAT.trg", "OTHER.DAT", ".APPL.D2.DAT.part-x"]:
        zone.put_bytes(b"12345", name)
    (zone.folder / "sub.DAT").mkdir()
    (zone.folder / "link.DAT").symlink_to(zone.folder / "OTHER.DAT")
    listed = zone.list("*.DAT")
    assert [e.name for e in listed] == ["APPL.D1.DAT", "OTHER.DAT"]
    assert all(isinstance(e, Entry) and e.size == 5 and e.mtime > 0 for e in listed)
    assert [e.name for e in zone.list(".*")] == [".APPL.D2.DAT.part-x"]


def test_exclusive_rename_refuses_an_existing_target_and_keeps_both_files(zone: LocalDropZone) -> None:
    zone.put_bytes(b"new", "A.DAT")
    zone.put_bytes(b"old", "B.DAT")
    with pytest.raises(TargetExistsError) as caught:
        zone.rename("A.DAT", "B.DAT")
    assert "B.DAT" in str(caught.value) and "already exists" in str(caught.value)
    assert (zone.folder / "A.DAT").read_bytes() == b"new"
    assert (zone.folder / "B.DAT").read_bytes() == b"old"


def test_rename_with_overwrite_replaces_the_target(zone: LocalDropZone) -> None:
    zone.put_bytes(b"new", "A.DAT")
    zone.put_bytes(b"old", "B.DAT")
    zone.rename("A.DAT", "B.DAT", overwrite=True)
    assert names(zone.folder) == ["B.DAT"] and (zone.folder / "B.DAT").read_bytes() == b"new"


def test_renaming_a_missing_file_raises_file_missing_naming_it(zone: LocalDropZone) -> None:
    with pytest.raises(FileMissingError, match="A.DAT"):
        zone.rename("A.DAT", "B.DAT")


def test_a_claim_hides_the_file_under_the_claimers_name_and_a_second_claim_gets_none(zone: LocalDropZone) -> None:
    zone.put_bytes(b"data", "APPL.DAT")
    assert zone.claim("APPL.DAT", "p1") == ".APPL.DAT.claim-p1"
    assert zone.claim("APPL.DAT", "p2") is None
    assert zone.list() == [] and names(zone.folder) == [".APPL.DAT.claim-p1"]


def test_of_many_threads_claiming_one_file_exactly_one_wins(zone: LocalDropZone) -> None:
    for round_number in range(20):
        name = f"F{round_number}.DAT"
        zone.put_bytes(b"x", name)
        start = threading.Barrier(6)
        results: list[str | None] = []

        def take(token: str) -> None:
            start.wait()
            results.append(zone.claim(name, token))
        threads = [threading.Thread(target=take, args=(f"t{i}",)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len([r for r in results if r]) == 1
    assert len(zone.list(".*")) == 20


def test_move_puts_the_file_into_a_folder_given_relative_or_absolute(zone: LocalDropZone, tmp_path: Path) -> None:
    zone.put_bytes(b"a", "A.DAT")
    zone.put_bytes(b"b", "B.DAT")
    zone.makedirs("archive/2026")
    zone.move("A.DAT", "archive/2026")
    zone.makedirs(str(tmp_path / "error"))
    zone.move("B.DAT", str(tmp_path / "error"))
    assert names(zone.folder / "archive" / "2026") == ["A.DAT"]
    assert names(tmp_path / "error") == ["B.DAT"]


def test_move_does_not_overwrite_unless_asked(zone: LocalDropZone) -> None:
    zone.makedirs("archive")
    (zone.folder / "archive" / "A.DAT").write_bytes(b"earlier run")
    zone.put_bytes(b"this run", "A.DAT")
    with pytest.raises(TargetExistsError):
        zone.move("A.DAT", "archive")
    zone.move("A.DAT", "archive", overwrite=True)
    assert (zone.folder / "archive" / "A.DAT").read_bytes() == b"this run"


def test_remove_deletes_and_complains_about_a_missing_file_unless_missing_ok(zone: LocalDropZone) -> None:
    zone.put_bytes(b"a", "A.DAT")
    zone.remove("A.DAT")
    assert not zone.exists("A.DAT")
    with pytest.raises(FileMissingError, match="A.DAT"):
        zone.remove("A.DAT")
    zone.remove("A.DAT", missing_ok=True)


def test_stat_of_a_missing_file_names_the_file(zone: LocalDropZone) -> None:
    with pytest.raises(FileMissingError) as caught:
        zone.stat("NOPE.DAT")
    assert str(caught.value).startswith(str(zone.folder / "NOPE.DAT"))


def test_fetching_a_missing_file_leaves_no_local_file(zone: LocalDropZone, tmp_path: Path) -> None:
    with pytest.raises(FileMissingError):
        zone.fetch("NOPE.DAT", tmp_path / "work.dat")
    assert not (tmp_path / "work.dat").exists()


def test_fetch_reports_progress_up_to_the_full_size(zone: LocalDropZone, big_file: Path, tmp_path: Path) -> None:
    zone.put(big_file, "A.DAT")
    calls: list[tuple[int, int]] = []
    zone.fetch("A.DAT", tmp_path / "a", progress=lambda done, total: calls.append((done, total)))
    size = big_file.stat().st_size
    assert calls[-1] == (size, size)


@pytest.mark.parametrize("call", [
    lambda z, p: z.put(p, "../escaped.dat"),
    lambda z, p: z.put_bytes(b"x", "../escaped.dat"),
    lambda z, p: z.rename("A.DAT", "../escaped.dat"),
    lambda z, p: z.fetch("../escaped.dat", p),
    lambda z, p: z.claim("../A.DAT", "t"),
    lambda z, p: z.remove("/etc/hostname"),
    lambda z, p: z.move("../A.DAT", "archive"),
])
def test_every_operation_rejects_a_path_instead_of_a_name(zone: LocalDropZone, tmp_path: Path, call) -> None:
    zone.put_bytes(b"a", "A.DAT")
    local = tmp_path / "local.dat"
    local.write_bytes(b"payload")
    with pytest.raises(NameRejectedError, match="rejected"):
        call(zone, local)
    assert not (tmp_path / "escaped.dat").exists()
    assert names(zone.folder) == ["A.DAT"]


def test_a_missing_folder_is_refused_unless_create_is_asked(tmp_path: Path) -> None:
    with pytest.raises(TransportError, match="does not exist"):
        LocalDropZone(tmp_path / "nowhere")
    assert LocalDropZone(tmp_path / "nowhere", create=True).list() == []


def test_open_dropzone_refuses_sftp_settings_for_a_local_folder(tmp_path: Path) -> None:
    with pytest.raises(TransportError, match='takes no host, user; did you mean kind = "sftp"'):
        open_dropzone("local", tmp_path, host="mvs1", user="batch")


def test_open_dropzone_refuses_an_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(TransportError, match="unknown drop zone kind 'ftp'; use one of local, sftp"):
        open_dropzone("ftp", tmp_path)


def test_a_local_zone_works_as_a_context_manager(tmp_path: Path) -> None:
    with open_dropzone("local", tmp_path) as zone:
        zone.put_bytes(b"x", "A.DAT")
    assert (tmp_path / "A.DAT").read_bytes() == b"x"


def test_an_exclusive_rename_killed_between_link_and_unlink_is_finished_by_the_next_one(tmp_path):
    import os

    from bridge.transport import open_dropzone

    (tmp_path / "A.dat").write_bytes(b"data")
    os.link(tmp_path / "A.dat", tmp_path / "B.dat")  # what a crash after os.link leaves behind
    with open_dropzone("local", tmp_path) as zone:
        zone.rename("A.dat", "B.dat")
    assert not (tmp_path / "A.dat").exists()
    assert (tmp_path / "B.dat").read_bytes() == b"data"
