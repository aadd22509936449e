"""The bundled timeline: its log, its event types and the Relationship
projection, checked against the broadcast summary it comes from.

The summary's sentences are copied into ``SEED`` below (with the events
that carry each one), so that these tests never read ``../shared``.
"""

# ruff: noqa: E501  (the Japanese sentences of the seed are long)

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

import timeline
from timeline._storage.codec import encode_event
from timeline._storage.jsonl import scan_bytes
from timeline.dataset import (
    PROGRAMME_DAY,
    VERIFIED_DAY,
    ArmsItem,
    ArmsTransferred,
    AssessmentMade,
    ClaimUnverified,
    Estimate,
    PersonnelAnnounced,
    PersonnelDeployed,
    PersonnelKind,
    Relationship,
    RelationshipState,
    Stage,
    TreatyInForce,
    TreatySigned,
    WarshipLaunched,
    bundled_path,
    open_bundled,
)
from timeline.dataset.events import EVENT_TYPES, LaunchOutcome

ROOT = Path(__file__).resolve().parent.parent

# The published head of the bundled log: a rebuilt or edited log changes it,
# and anyone holding it can prove that nothing was cut off the end.
HEAD = "116:0c72133e4fc65ad782802f112cbfd3c15915cdfa02467001043ab79e46b3ec07"

# SHA-256 of the seed file 000_7721ccf800a83251.txt: the summary of NHK's
# 「クローズアップ現代」 of 2025-07-14.  Its 64 lines, joined by "\n", are SEED.
SEED_SHA256 = "4b745cc763e7e3fa9a65b38fe789b35217234c8eeb54bd4f9b2bbd69c98884f6"

# (line, kind, text, programme events carrying it).  "fact" lines are claims
# about the world and must be carried by at least one event; "framing"
# (what the programme covered, what things mean or may lead to) and
# "heading" lines carry none.  See tools/curation/NOTES.md.
SEED: tuple[tuple[int, str, str, tuple[str, ...]], ...] = (
    (
        1,
        "framing",
        "2025年7月14日に放送されたNHK「クローズアップ現代」では、ウクライナ戦争の裏で急速に深化する北朝鮮とロシアの軍事協力関係について特集されました。",
        (),
    ),
    (
        2,
        "framing",
        "この特集では、単なる兵器の提供に留まらない両国の結びつきの実態に、独自の映像や証言を交えて迫りました。",
        (),
    ),
    (
        3,
        "framing",
        "軍事技術の移転や経済支援までもが行われるこの関係は、東アジア、ひいては世界の安全保障の枠組みを大きく揺るがす新たな現実を突きつけています。",
        (),
    ),
    (
        4,
        "heading",
        "北朝鮮とロシアの“軍事協力”が意味する新たな現実",
        (),
    ),
    (
        5,
        "framing",
        "北朝鮮とロシアの協力関係は、これまでの利害の一致を超え、戦略的に深く結びついた新たな段階へと移行しました。",
        (),
    ),
    (
        6,
        "framing",
        "この動きは、東アジアのパワーバランスに直接的な影響を及ぼす重大な事態です。",
        (),
    ),
    (
        7,
        "heading",
        "軍事協力のはじまりと加速する背景",
        (),
    ),
    (
        8,
        "fact",
        "両国の軍事的な接近が加速したのは、2022年のロシアによるウクライナ侵攻がきっかけです。",
        ("prog-war-began",),
    ),
    (
        9,
        "fact",
        "国際社会から厳しい制裁を受けるロシアは、兵器や資源の新たな供給源として北朝鮮に注目しました。",
        ("prog-russia-turns-to-nk",),
    ),
    (
        10,
        "fact",
        "一方、北朝鮮にとっても、経済的な苦境を打開し、高度な軍事技術を獲得するためにロシアとの関係強化は極めて魅力的でした。",
        ("prog-nk-seeks-russia-ties",),
    ),
    (
        11,
        "fact",
        "この相互の利害関係は、2024年6月に金正恩総書記とプーチン大統領が署名し、同年12月に発効した「包括的戦略的パートナーシップ条約」によって決定的なものとなります。",
        ("prog-treaty-signed", "prog-treaty-in-force"),
    ),
    (
        12,
        "fact",
        "この条約には有事の際に相互に支援する「相互防衛」の趣旨が盛り込まれており、両国が事実上の軍事同盟関係を形成したことを示しています。",
        ("prog-treaty-mutual-defense",),
    ),
    (
        13,
        "heading",
        "武器だけではない多面的な支援",
        (),
    ),
    (
        14,
        "framing",
        "北朝鮮からロシアへの支援は、武器供与という側面だけでは捉えきれません。",
        (),
    ),
    (
        15,
        "fact",
        "砲弾やミサイルといったハードウェアの提供に加え、兵士や作業員の派遣、地雷除去といった人的支援、さらには技術協力といった多面的な形で実行されています。",
        (
            "prog-arms-shells-rockets",
            "prog-arms-kn23",
            "prog-troops-deployed-2025",
            "prog-builders-deminers-eastern-russia",
            "prog-tech-ballistic-missile",
            "prog-tech-submarine",
            "prog-tech-satellite",
        ),
    ),
    (
        16,
        "framing",
        "この多角的な支援体制は、両国の関係が単なる兵器の売買といった一時的なものではなく、互いの戦争遂行能力と国家体制を支え合う、より深く、より強固な戦略的パートナーシップへと変質したことを物語っています。",
        (),
    ),
    (
        17,
        "heading",
        "具体的な軍事支援の内容と規模",
        (),
    ),
    (
        18,
        "framing",
        "番組では、具体的な物資や人員の規模にも言及し、その支援がウクライナの戦況に与えている深刻な影響を明らかにしました。",
        (),
    ),
    (
        19,
        "heading",
        "武器供与の実態",
        (),
    ),
    (
        20,
        "fact",
        "北朝鮮は、ロシアに対して膨大な量の武器を供給しています。",
        ("prog-arms-shells-rockets", "prog-arms-koksan-spg", "prog-arms-kn23"),
    ),
    (
        21,
        "fact",
        "その内容は、数百万発規模に達する砲弾やロケット弾、北朝鮮製のM-1989自走砲、そして短距離弾道ミサイル「KN-23」シリーズなど多岐にわたります。",
        ("prog-arms-shells-rockets", "prog-arms-koksan-spg", "prog-arms-kn23"),
    ),
    (
        22,
        "fact",
        "これらの兵器はすでにウクライナの最前線で実戦投入されており、西側諸国からの制裁で兵器不足に悩むロシア軍の火力を維持するための、極めて重要な補給源となっています。",
        ("prog-arms-shells-rockets", "prog-arms-koksan-spg", "prog-arms-kn23"),
    ),
    (
        23,
        "heading",
        "兵士と技術者の派遣",
        (),
    ),
    (
        24,
        "fact",
        "物的な支援に加え、人的な貢献も大規模に行われています。",
        ("prog-troops-deployed-2025", "prog-builders-deminers-eastern-russia"),
    ),
    (
        25,
        "fact",
        "2025年に入ってから、約1万人以上の北朝鮮兵士がロシアに派遣されました。",
        ("prog-troops-deployed-2025",),
    ),
    (
        26,
        "fact",
        "彼らは戦闘支援や兵站、陣地の整備といった後方支援任務に従事しています。",
        ("prog-troops-deployed-2025",),
    ),
    (
        27,
        "fact",
        "さらに、軍事協力とは別に、約6,000人規模の建設技術者や地雷除去の専門家などもロシア東部に送り込まれており、これは人的インフラ支援としての側面も持っています。",
        ("prog-builders-deminers-eastern-russia",),
    ),
    (
        28,
        "heading",
        "技術の移転と共同開発の兆し",
        (),
    ),
    (
        29,
        "fact",
        "ロシアは、見返りとして北朝鮮に高度な軍事技術を提供しています。",
        ("prog-tech-ballistic-missile", "prog-tech-submarine", "prog-tech-satellite"),
    ),
    (
        30,
        "fact",
        "その中には、弾道ミサイル技術、潜水艦の設計ノウハウ、人工衛星の運用技術といった、北朝鮮が長年獲得を熱望してきたものが含まれます。",
        ("prog-tech-ballistic-missile", "prog-tech-submarine", "prog-tech-satellite"),
    ),
    (
        31,
        "fact",
        "特に注目すべきは、2025年に進水した北朝鮮の最新鋭駆逐艦です。",
        ("prog-destroyer-launched-2025",),
    ),
    (
        32,
        "fact",
        "この艦にはロシア製の通信機器や火器管制システムが搭載されていると分析されており、両国間での兵器の共同開発が始まっている可能性を示唆しています。",
        ("prog-destroyer-launched-2025",),
    ),
    (
        33,
        "framing",
        "この技術移転により、北朝鮮の軍事力は質的に大きく向上し、新たな脅威となりつつあります。",
        (),
    ),
    (
        34,
        "heading",
        "北朝鮮が得ている“見返り”の実態とは",
        (),
    ),
    (
        35,
        "framing",
        "北朝鮮は、ロシアへの大規模な支援と引き換えに、軍事、経済、外交の各分野で多大な利益を得ており、国力を飛躍的に増強させています。",
        (),
    ),
    (
        36,
        "heading",
        "先端技術の獲得による軍拡加速",
        (),
    ),
    (
        37,
        "framing",
        "ロシアから提供される先端軍事技術は、北朝鮮の兵器開発を劇的に加速させる原動力です。",
        (),
    ),
    (
        38,
        "framing",
        "特に、長距離ミサイル、潜水艦発射弾道ミサイル(SLBM)を搭載可能な潜水艦、そして軍事偵察衛星といった戦略兵器の能力が質的に向上することは、国際社会にとって看過できない脅威となります。",
        (),
    ),
    (
        39,
        "heading",
        "実戦経験という“学び”",
        (),
    ),
    (
        40,
        "framing",
        "北朝鮮兵士がロシア軍と共にウクライナの戦場で活動することは、彼らにとって貴重な「学び」の機会となります。",
        (),
    ),
    (
        41,
        "framing",
        "現代戦における指揮系統、最新の戦術、そして西側兵器との交戦データなど、実戦でしか得られない経験は、北朝鮮軍全体の近代化と戦闘能力の向上に直接的に貢献します。",
        (),
    ),
    (
        42,
        "heading",
        "経済的・外交的利益",
        (),
    ),
    (
        43,
        "framing",
        "軍事的な見返りだけでなく、経済的・外交的な利益も甚大です。",
        (),
    ),
    (
        44,
        "fact",
        "ロシアからは兵器や技術に加え、国連の経済制裁下にある北朝鮮の経済を支える燃料、食料、建設資材などが大量に供給されています。",
        ("prog-aid-fuel-food-materials",),
    ),
    (
        45,
        "fact",
        "さらに、国連安全保障理事会の常任理事国であるロシアという強力な後ろ盾を得たことで、北朝鮮は国際社会における孤立を脱し、外交的な発言力や交渉力を著しく強化しています。",
        ("prog-diplomatic-backing",),
    ),
    (
        46,
        "heading",
        "東アジアと世界に広がる影響",
        (),
    ),
    (
        47,
        "framing",
        "この二国間の緊密な連携は、もはや両国だけの問題ではなく、東アジア地域、さらには世界の安全保障秩序全体を揺るがす深刻な事態へと発展しています。",
        (),
    ),
    (
        48,
        "heading",
        "日本・韓国・アメリカの防衛再編",
        (),
    ),
    (
        49,
        "framing",
        "北朝鮮の軍事力がロシアの技術支援によって飛躍的に強化されることは、隣国である日本と韓国の安全保障にとって直接的かつ重大な脅威です。",
        (),
    ),
    (
        50,
        "framing",
        "この新たな脅威に対抗するため、日米韓三カ国の安全保障協力は急速に深化しています。",
        (),
    ),
    (
        51,
        "fact",
        "具体的には、弾道ミサイル防衛体制の連携強化や、2025年にはB-52戦略爆撃機やF-35最新鋭戦闘機が参加する大規模な日米韓共同訓練が実施されるなど、抑止力と対処能力の向上を目的とした防衛体制の再編が加速しています。",
        ("prog-trilateral-drill-2025", "prog-trilateral-bmd-cooperation"),
    ),
    (
        52,
        "heading",
        "新たな国際的軍事ブロック“CRINKs”の台頭",
        (),
    ),
    (
        53,
        "fact",
        "北朝鮮(North Korea)とロシア(Russia)の関係深化は、同じく西側諸国と対立するイラン(Iran)や中国(China)との連携を促し、「CRINKs」と通称される新たな反西側連合の形成につながっています。",
        ("prog-crinks-formed",),
    ),
    (
        54,
        "framing",
        "この動きは、自由主義陣営と権威主義陣営の対立をより一層鮮明にし、国連を中心とした既存の国際秩序の維持を困難にする、新たな地政学的な構造を生み出しています。",
        (),
    ),
    (
        55,
        "heading",
        "中国の複雑な立場と動き",
        (),
    ),
    (
        56,
        "fact",
        "伝統的な友好国である北朝鮮の行動に対し、中国は複雑な立場にあります。",
        ("prog-china-cautious",),
    ),
    (
        57,
        "fact",
        "中国は北朝鮮への経済支援を続けつつも、ロシアとの過度な軍事的接近が地域の不安定化を招き、自国の影響力を損なうことを警戒し、慎重な姿勢を崩していません。",
        ("prog-china-cautious",),
    ),
    (
        58,
        "framing",
        "北朝鮮の独走を中国がどこまで容認するのか、あるいはコントロールしようとするのか。",
        (),
    ),
    (
        59,
        "framing",
        "今後の中国の動向が、東アジア全体の戦略的バランスを左右する重要な鍵となります。",
        (),
    ),
    (
        60,
        "heading",
        "まとめ",
        (),
    ),
    (
        61,
        "framing",
        "今回の「クローズアップ現代」で特集された北朝鮮とロシアの軍事協力は、国際社会が新たな対立の時代に突入したことを明確に示しています。",
        (),
    ),
    (
        62,
        "framing",
        "兵器の供与から始まり、技術移転、人的交流、そして事実上の軍事同盟へと発展した両国の関係は、東アジアの安全保障環境を根本から覆すものです。",
        (),
    ),
    (
        63,
        "framing",
        "この動きは、日本、韓国、アメリカをはじめとする国々に防衛体制の抜本的な見直しを迫ると同時に、「CRINKs」という新たなブロックの台頭により、世界の地政学的構造にも大きな変化をもたらしています。",
        (),
    ),
    (
        64,
        "framing",
        "私たち自身の未来にも深く関わるこの問題の動向を、今後も注視していく必要があります。",
        (),
    ),
)


@pytest.fixture(scope="module")
def log() -> timeline.Log:
    return open_bundled()


def state(
    log: timeline.Log, as_of: str, known_at: str | None = None
) -> timeline.AsOf[RelationshipState]:
    return log.state(Relationship, as_of=as_of, known_at=known_at)


def programme(log: timeline.Log) -> list[timeline.Event]:
    return [e for e in log if e.id.startswith("prog-")]


def verified(log: timeline.Log) -> list[timeline.Event]:
    return [e for e in log if e.id.startswith("ver-")]


# -- the seed map -----------------------------------------------------------


def test_seed_table_is_the_whole_summary_in_order() -> None:
    assert [line for line, *_ in SEED] == list(range(1, len(SEED) + 1))
    text = "\n".join(text for _, _, text, _ in SEED)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == SEED_SHA256


def test_every_fact_sentence_is_carried_and_nothing_else_is() -> None:
    for line, kind, _, events in SEED:
        assert kind in ("fact", "framing", "heading"), line
        assert bool(events) == (kind == "fact"), line


def test_seed_table_is_complete_against_the_log(log: timeline.Log) -> None:
    carried: dict[str, set[str]] = {}
    for _, _, text, events in SEED:
        for event_id in events:
            carried.setdefault(event_id, set()).add(text)
    ids = {e.id for e in programme(log)}
    assert set(carried) == ids  # every mapped event exists, every claim mapped
    for event in programme(log):
        assert event.source is not None
        # the quote is the whole sentence of the summary the event comes from
        assert event.source.quote in carried[event.id], event.id


def test_the_programme_layer_is_the_summary(log: timeline.Log) -> None:
    for event in programme(log):
        source = event.source
        assert source is not None
        assert (source.title, source.publisher, source.language, source.url) == (
            "クローズアップ現代",
            "NHK",
            "ja",
            None,
        )
        assert source.published == timeline.parse_edtf(PROGRAMME_DAY)
        assert event.recorded == datetime.date.fromisoformat(PROGRAMME_DAY)
        assert event.supersedes == ()
        assert "programme" in event.tags
    dates = {e.id: e.occurred.to_edtf() for e in programme(log)}
    # at the precision the summary gives; "2025年に入ってから" is 2025 before
    # the broadcast; "before the broadcast" if it gives no date
    assert dates["prog-war-began"] == "2022"
    assert dates["prog-treaty-signed"] == "2024-06"
    assert dates["prog-treaty-in-force"] == "2024-12"
    assert dates["prog-troops-deployed-2025"] == "2025-01-01/2025-07-14"
    assert dates["prog-arms-kn23"] == "../2025-07-14"
    # the programme's readings of motives are its assessments, not stances
    motive = log.get("prog-russia-turns-to-nk")
    assert isinstance(motive, AssessmentMade)
    assert (motive.assessor, motive.subject) == ("NHK", "RU")


# -- the log ------------------------------------------------------------------


def test_the_bundled_log_verifies_with_its_published_head() -> None:
    result = timeline.verify(bundled_path(), head=HEAD)
    assert str(result) == HEAD
    assert result.torn_bytes == 0


def test_the_bundled_log_is_in_the_package_or_the_checkout() -> None:
    path = bundled_path()
    assert path.name == "nk_russia.jsonl"
    assert path.read_bytes() == (ROOT / "events" / "nk_russia.jsonl").read_bytes()


def test_every_record_round_trips_through_the_codec() -> None:
    scan = scan_bytes(bundled_path().read_bytes(), keep_raw=True)
    assert len(scan.records) == int(HEAD.split(":")[0])
    for record, (body, _) in zip(scan.records, scan.raw, strict=True):
        again = encode_event(record.event, record.seq, more=record.more)
        assert again == body, record.event.id


def test_payloads_are_typed_values(log: timeline.Log) -> None:
    arms = log.get("ver-msmt-arms-2025-05-29")
    assert isinstance(arms, ArmsTransferred)
    assert isinstance(arms.items, tuple)
    assert all(isinstance(item, ArmsItem) for item in arms.items)
    count = arms.items[0].quantity
    assert isinstance(count, Estimate)
    assert count.since == timeline.parse_edtf("2023-09")
    troops = log.get("ver-troops-first-shipment-2024-10-08")
    assert isinstance(troops, PersonnelDeployed)
    assert troops.kind is PersonnelKind.SPECIAL_FORCES
    assert troops.facts == ("F20",)
    ship = log.get("ver-kang-kon-relaunched-2025-06-12")
    assert isinstance(ship, WarshipLaunched)
    assert ship.outcome is LaunchOutcome.RELAUNCHED


@pytest.mark.skipif(
    not (ROOT / "tools" / "build_dataset.py").is_file(), reason="not a checkout"
)
def test_the_log_is_what_the_build_tool_makes() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_dataset.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert HEAD in done.stdout


def test_every_event_is_of_a_story_type(log: timeline.Log) -> None:
    names = [kind.type_name for kind in EVENT_TYPES]
    assert len(set(names)) == len(names) == 21
    assert {type(e).type_name for e in log} == set(names)
    assert all(type(e) in EVENT_TYPES for e in log)


def test_every_event_has_a_source_and_a_summary_in_two_languages(
    log: timeline.Log,
) -> None:
    for event in log:
        assert event.source is not None, event.id
        assert event.source.title, event.id
        assert event.source.confidence in ("high", "medium", "low"), event.id
        assert event.summary is not None
        summary = event.summary.as_dict()
        assert set(summary) == {"en", "ja"}, event.id
        assert all(summary.values()), event.id


def test_every_verified_event_has_a_source_to_check_it_by(log: timeline.Log) -> None:
    curation_day = datetime.date.fromisoformat(VERIFIED_DAY)
    for event in verified(log):
        source = event.source
        assert source is not None
        assert event.recorded == curation_day
        if isinstance(event, ClaimUnverified):
            # a note quotes the claim it is about (the broadcast's line)
            claim = log.get(event.claim)
            assert claim.source == source, event.id
            assert event.reason, event.id
            continue
        assert source.url, event.id
        assert source.url.startswith(("http://", "https://")), event.id
        assert source.publisher, event.id
        assert source.quote, event.id
        assert source.published is not None
        assert source.published.precision is timeline.Precision.DAY, event.id
        # published on or after the event began, never stood in by it
        start = event.occurred.earliest_day
        assert start is not None, event.id  # no open start
        assert source.published.earliest_day >= start, event.id


def test_every_programme_claim_is_superseded_or_marked_unverifiable(
    log: timeline.Log,
) -> None:
    corrected: dict[str, list[str]] = {}
    for event in verified(log):
        for old in event.supersedes:
            assert old.startswith("prog-")
            assert "correction" in event.tags
            corrected.setdefault(old, []).append(event.id)
    assert set(corrected) == {e.id for e in programme(log)}
    assert corrected["prog-troops-deployed-2025"] == [
        "ver-troops-first-shipment-2024-10-08"
    ]
    assert corrected["prog-builders-deminers-eastern-russia"] == [
        "ver-shoigu-announces-builders-2025-06-17",
        "ver-shoigu-announces-sappers-2025-06-17",
    ]
    assert corrected["prog-china-cautious"] == ["ver-note-china-stance-unverifiable"]
    unverified = {
        e.claim: e.part for e in verified(log) if isinstance(e, ClaimUnverified)
    }
    assert unverified["prog-aid-fuel-food-materials"] == "construction materials"


def test_known_at_the_broadcast_is_exactly_the_programme(log: timeline.Log) -> None:
    assert {e.id for e in log.timeline(PROGRAMME_DAY)} == {e.id for e in programme(log)}
    current = {e.id for e in log.timeline()}
    assert current == {e.id for e in verified(log)}


# -- the curation check ------------------------------------------------------------


def _curation_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_nk_russia", ROOT / "tools" / "curation" / "check_nk_russia.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


needs_checkout = pytest.mark.skipif(
    not (ROOT / "tools" / "curation" / "nk_russia.json").is_file(),
    reason="not a checkout",
)


@pytest.fixture(scope="module")
def curation() -> tuple[ModuleType, list[dict[str, Any]], list[dict[str, Any]]]:
    check = _curation_check()
    events, seed_map = check.load()
    return check, events, seed_map


@needs_checkout
def test_the_curation_passes_its_check(
    curation: tuple[ModuleType, list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    check, events, seed_map = curation
    assert check.check_events(events, seed_map) == []
    assert check.check_replay(events) == []
    # the seed map is the summary the tests carry
    assert [
        (e["line"], e["kind"], e["text"], tuple(e["events"])) for e in seed_map
    ] == [(line, kind, text, events) for line, kind, text, events in SEED]


def _edited(events: list[dict[str, Any]], event_id: str) -> tuple[list[Any], Any]:
    copy = json.loads(json.dumps(events))
    return copy, next(e for e in copy if e["id"] == event_id)


# a whole line of the summary, carried by another programme event
_WAR_LINE = next(text for _, _, text, ids in SEED if "prog-war-began" in ids)


def _pop(key: str) -> Callable[[dict[str, Any]], object]:
    return lambda e: e.pop(key)


# One broken event per rule of the check: the check must name that event (or,
# for a claim left unresolved, the programme claim) and that rule.
_BROKEN: list[tuple[str, Callable[[dict[str, Any]], object], str, str | None]] = [
    ("ver-war-began-2022-02-24", _pop("facts"), "keys", None),
    ("ver-war-began-2022-02-24", lambda e: e["payload"].pop("target"), "keys", None),
    (
        "ver-war-began-2022-02-24",
        lambda e: e.update(id="ver-War_began"),
        "id",
        "ver-War_began",
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e.update(recorded="2025-07-14"),
        "layers",
        None,
    ),
    (
        "ver-dprk-recognises-dpr-lpr-2022-07-13",
        lambda e: e.update(occurred="2022-03-01"),
        "date-order",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e.update(occurred="2022-13-45"),
        "edtf",
        None,
    ),
    (
        "prog-arms-kn23",
        lambda e: e["source"].update(quote="KN-23"),
        "programme-source",
        None,
    ),
    (
        "prog-arms-kn23",
        lambda e: e["source"].update(quote=_WAR_LINE),
        "seed-map",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e.update(supersedes=[]),
        "claim-resolved",
        "prog-war-began",
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e["source"].update(quote=""),
        "source-complete",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e["source"].update(published="2022-02"),
        "source-complete",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e["source"].update(title="[slug] russia invades ukraine"),
        "source-complete",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e["source"].update(url="https://menafn.com/1"),
        "no-aggregator",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e["source"].update(url="https://en.wikipedia.org/wiki/X"),
        "no-aggregator",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e["source"].update(published="2022-02-20"),
        "published-after-event",
        None,
    ),
    (
        "ver-kursk-incursion-2024-08-06",
        lambda e: e.update(occurred="../2024-08-06"),
        "no-open-start",
        None,
    ),
    (
        "ver-nis-casualties-2024-12-19",
        lambda e: e.update(occurred="2024-10-01"),
        "cause-bound",
        None,
    ),
    (
        "ver-first-clash-kursk-2024-11-04",
        lambda e: e.update(occurred="2024-09-01/2024-11-04"),
        "cause-bound",
        None,
    ),
    (
        "ver-note-china-stance-unverifiable",
        lambda e: e["payload"].update(reason=" "),
        "note",
        None,
    ),
    (
        "ver-note-china-stance-unverifiable",
        lambda e: e["payload"].update(claim="ver-war-began-2022-02-24"),
        "note",
        None,
    ),
    (
        "ver-veto-sanctions-2022-05-26",
        lambda e: e.update(supersedes=["ver-war-began-2022-02-24"]),
        "supersedes",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e["tags"].remove("correction"),
        "supersedes",
        None,
    ),
    ("ver-war-began-2022-02-24", lambda e: e.update(facts=["F99"]), "facts", None),
    (
        "ver-freedom-edge-2025-09-15",
        lambda e: e["tags"].remove("post-broadcast"),
        "post-broadcast",
        None,
    ),
    (
        "ver-war-began-2022-02-24",
        lambda e: e["tags"].append("post-broadcast"),
        "post-broadcast",
        None,
    ),
    (
        "ver-nis-casualties-2024-12-19",
        lambda e: e["payload"]["killed"].update(by="NIS; UK MoD"),
        "estimate",
        None,
    ),
    (
        "ver-nis-casualties-2025-01-13",
        lambda e: e["payload"]["killed"].update(since="2024-10"),
        "series",
        None,
    ),
    (
        "ver-containers-6700-2024-02-26",
        lambda e: e["payload"]["items"][0]["quantity"].update(
            qualifier="up_to", high=6700
        ),
        "series",
        None,
    ),
    (
        "ver-dia-containers-13000-2024-08-27",
        lambda e: e["payload"]["items"][0]["quantity"].update(
            measure="kp-containers-since-2023-09"
        ),
        "series",
        None,
    ),
]


@needs_checkout
@pytest.mark.parametrize(("event_id", "edit", "rule", "named"), _BROKEN)
def test_the_curation_check_names_the_event_and_the_rule(
    curation: tuple[ModuleType, list[dict[str, Any]], list[dict[str, Any]]],
    event_id: str,
    edit: Callable[[dict[str, Any]], object],
    rule: str,
    named: str | None,
) -> None:
    check, events, seed_map = curation
    copy, event = _edited(events, event_id)
    edit(event)
    problems = check.check_events(copy, seed_map)
    assert any(p.startswith(f"{named or event_id}: {rule}: ") for p in problems), (
        problems
    )


def test_every_rule_of_the_check_has_a_broken_event_that_trips_it() -> None:
    check = _curation_check()
    replayed = {"stage-never-backwards", "nothing-pending-before-the-war"}
    assert {rule for _, _, rule, _ in _BROKEN} | replayed == set(check.RULES)


@needs_checkout
def test_the_replay_check_finds_a_pending_event_before_the_war(
    curation: tuple[ModuleType, list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    check, events, _ = curation
    copy, event = _edited(events, "ver-us-says-nk-supplying-shells-2022-11-02")
    event["occurred"] = "2021/2022-11-02"  # an open window reaching before the war
    problems = check.check_replay(copy, last="2022-03-01")
    assert problems[0].startswith(
        "2022-01-01 (current record): nothing-pending-before-the-war: pending: "
        "ver-us-says-nk-supplying-shells-2022-11-02"
    )


@needs_checkout
def test_the_replay_check_finds_a_stage_moving_backwards(
    curation: tuple[ModuleType, list[dict[str, Any]], list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No event can move the bundled Relationship's stage back (each facet only
    # moves up), so the day-by-day replay guards the projection itself: given
    # one whose stage falls back once troops fought, the check names the day,
    # the view and the rule.
    check, events, _ = curation
    assert check.check_replay(events, first="2024-10-25", last="2024-11-10") == []
    stage = RelationshipState.stage

    def falls_back(state: RelationshipState) -> Stage:
        return Stage.NONE if state.troops.fought else stage.fget(state)  # type: ignore[attr-defined]

    monkeypatch.setattr(RelationshipState, "stage", property(falls_back))
    problems = check.check_replay(events, first="2024-10-25", last="2024-11-10")
    assert problems[0].startswith(
        "2024-11-04 (current record, certain): stage-never-backwards: "
        "troops_deployed on 2024-11-03 -> none"
    ), problems


# -- as-of answers, in both views --------------------------------------------


def test_before_the_war(log: timeline.Log) -> None:
    now = state(log, "2021-12-31")
    assert now.certain == RelationshipState()
    assert now.possible == RelationshipState()
    assert now.pending == ()  # nothing the sources place later hangs over it
    then = state(log, "2022-01-01", known_at=PROGRAMME_DAY)
    assert then.certain == RelationshipState()
    # the programme's "2022" may already have begun
    assert str(then.possible.war.began) == "2022"
    assert "prog-war-began" in {e.id for e in then.pending}


def test_the_war_has_begun(log: timeline.Log) -> None:
    assert str(state(log, "2022-02-24").certain.war.began) == "2022-02-24"
    then = state(log, "2022-12-31", known_at=PROGRAMME_DAY)
    assert str(then.certain.war.began) == "2022"


def test_rapprochement_then_arms_in_the_current_record(log: timeline.Log) -> None:
    assert state(log, "2022-06-01").certain.stage is Stage.RAPPROCHEMENT  # veto
    autumn = state(log, "2022-11-02")
    assert autumn.certain.stage is Stage.ARMS_TRADE  # shells by 2022-11-02
    assert "artillery shells" in autumn.certain.arms.items
    # an assessment is no stage: US intelligence's reading is there, as such
    (reading,) = state(log, "2022-09-30").certain.assessments
    assert (reading.assessor, reading.subject) == ("US intelligence", "RU")


def test_signed_before_in_force_current_record(log: timeline.Log) -> None:
    assert state(log, "2024-06-18").possible.treaty.status == "none"
    answer = state(log, "2024-07-01")
    treaty = answer.certain.treaty
    assert treaty.status == "signed"
    assert str(treaty.signed) == "2024-06-19"
    assert treaty.mutual_defense
    assert treaty.article == "Article 4"
    assert answer.possible.treaty.status == "signed"  # in force is 2024-12-04
    assert answer.certain.stage is Stage.TREATY_SIGNED
    assert not answer.certain.troops.deployed
    assert not answer.possible.troops.deployed


def test_signed_before_in_force_as_the_programme_had_it(log: timeline.Log) -> None:
    june = state(log, "2024-06-15", known_at=PROGRAMME_DAY)
    assert june.certain.treaty.status == "none"
    assert june.possible.treaty.status == "signed"  # "2024-06" may be over
    answer = state(log, "2024-07-01", known_at=PROGRAMME_DAY)
    assert answer.certain.treaty.status == "signed"
    assert str(answer.certain.treaty.signed) == "2024-06"
    assert answer.certain.treaty.mutual_defense
    assert answer.certain.treaty.article is None
    assert answer.possible.treaty.status == "signed"


def test_october_2024_special_forces_training_in_the_far_east(
    log: timeline.Log,
) -> None:
    answer = state(log, "2024-10-20").certain
    assert answer.stage is Stage.TROOPS_DEPLOYED  # the treaty is not in force
    troops = answer.troops
    assert troops.deployed
    assert not troops.fought
    assert troops.destinations == ("Russian Far East",)
    assert [str(f.estimate) for f in troops.estimates] == ["about 1,500 soldiers (NIS)"]
    # NIS's 12,000 of 2024-10-18 is a decision it reported, not troops in Russia
    assert any("12,000" in a.assessment for a in answer.assessments)
    early = state(log, "2024-10-10")
    assert not early.certain.troops.deployed
    assert early.possible.troops.deployed


def test_december_2024_in_force_pending_as_the_programme_had_it(
    log: timeline.Log,
) -> None:
    answer = state(log, "2024-12-15", known_at=PROGRAMME_DAY)
    assert answer.certain.treaty.status == "signed"
    assert answer.possible.treaty.status == "in_force"
    assert str(answer.possible.treaty.in_force) == "2024-12"
    assert "prog-treaty-in-force" in {e.id for e in answer.pending}
    # the programme's troops came in 2025: not even possible yet
    assert not answer.certain.troops.deployed
    assert not answer.possible.troops.deployed
    assert answer.certain.stage is Stage.TREATY_SIGNED
    assert answer.possible.stage is Stage.ALLIANCE


def test_december_2024_in_the_current_record(log: timeline.Log) -> None:
    answer = state(log, "2024-12-15")
    assert answer.certain.treaty.status == "in_force"
    assert str(answer.certain.treaty.in_force) == "2024-12-04"
    troops = answer.certain.troops
    assert troops.deployed
    assert troops.fought  # first small clashes by 2024-11-04
    assert str(troops.since) == "2024-10-08/2024-10-13"
    assert "Kursk Oblast" in troops.destinations
    assert answer.certain.stage is Stage.CO_BELLIGERENCE
    fought = state(log, "2024-11-03")
    assert not fought.certain.troops.fought
    assert fought.possible.troops.fought


def test_during_2025_as_the_programme_had_it(log: timeline.Log) -> None:
    answer = state(log, "2025-03-01", known_at=PROGRAMME_DAY)
    assert answer.certain.treaty.status == "in_force"
    assert answer.certain.stage is Stage.ALLIANCE
    assert not answer.certain.troops.deployed
    assert answer.possible.troops.deployed  # "2025" may have begun
    assert str(answer.possible.troops.since) == "2025-01-01/2025-07-14"
    assert not answer.possible.troops.fought  # the summary contradicts itself
    # troops there but not known to fight: still an alliance, never skipped
    assert answer.possible.stage is Stage.ALLIANCE
    figure = answer.possible.troops.estimates[0]
    assert (figure.estimate.low, figure.estimate.qualifier) == (10000, "at_least")
    # on the broadcast day its claims are certain, dated "before the broadcast"
    aired = state(log, PROGRAMME_DAY, known_at=PROGRAMME_DAY)
    assert {"submarine", "satellite", "ballistic_missile"} <= set(
        aired.certain.technology.domains
    )
    assert "KN-23" in aired.certain.arms.used_in_combat
    assert aired.certain.troops.deployed
    assert [x.aircraft for x in aired.certain.exercises] == [("B-52", "F-35")]
    assert [w.russian_systems for w in aired.certain.warships] == ["assessed"]


def test_during_2025_in_the_current_record(log: timeline.Log) -> None:
    answer = state(log, "2025-08-01").certain
    assert answer.stage is Stage.CO_BELLIGERENCE
    new_year = timeline.parse_edtf("2025-01-01").earliest_day
    assert new_year is not None
    drills_2025 = [
        x for x in answer.exercises if (x.date.earliest_day or 0) >= new_year
    ]
    assert ("B-52H", "KF-16", "F-2") in [x.aircraft for x in drills_2025]
    assert all("F-35" not in x.aircraft for x in drills_2025)
    # the builders and sappers were announced, not (yet) deployed
    assert {a.kind for a in answer.announcements} == {"sappers", "military_builders"}
    assert {p.kind for p in answer.other_personnel} == {"workers"}
    ships = {w.name: w for w in answer.warships}
    assert ships["Choe Hyon"].joint_development  # assessed on 2025-05-01
    assert ships["Kang Kon"].outcome is LaunchOutcome.RELAUNCHED
    assert [w.name for w in answer.joint_development] == ["Choe Hyon"]
    assert "naval" in answer.technology.assessed
    assert [a.name for a in answer.alignments] == ["CRINKs"]
    assert str(answer.alignments[0].named) == "2023-10-17"
    assert [e.name for e in answer.war.episodes] == [
        "Russian invasion of Ukraine",
        "Ukrainian incursion into Kursk Oblast",
    ]
    assert str(answer.war.began) == "2022-02-24"  # the incursion began no war
    launch = state(log, "2025-04-30").certain
    assert {w.name: w.russian_systems for w in launch.warships} == {"Choe Hyon": None}


def test_oil_a_first_shipment_and_running_totals(log: timeline.Log) -> None:
    march = state(log, "2024-03-07").certain
    assert "oil" in march.aid.kinds  # certain from the first shipment
    assert march.aid.estimates == ()
    later = state(log, "2025-06-01").certain
    (oil,) = later.aid.ranges
    assert oil.measure == "ru-oil-to-kp-since-2024-03"
    assert oil.authors == ("OSC", "MSMT")


# -- estimates: one series per measure and author -------------------------------------


def figures(s: RelationshipState, measure: str) -> dict[str, str]:
    every = (
        *s.troops.estimates,
        *s.arms.estimates,
        *s.aid.estimates,
        *s.casualties,
        *(f for p in s.other_personnel for f in p.estimates),
    )
    return {
        f.estimate.by: str(f.estimate) for f in every if f.estimate.measure == measure
    }


def test_each_author_keeps_a_series_and_the_state_shows_the_range(
    log: timeline.Log,
) -> None:
    aired = state(log, PROGRAMME_DAY).certain
    assert figures(aired, "kp-casualties-total") == {
        "NIS": "about 4,700 soldiers (NIS)",
        "ROK JCS": "about 4,000 soldiers (ROK JCS)",
        "UK MoD": "at least 6,000 soldiers (UK MoD)",
        "Ukraine (Zelensky)": "about 4,000 soldiers (Ukraine (Zelensky))",
    }
    (total,) = [r for r in aired.casualty_ranges if r.measure == "kp-casualties-total"]
    assert (total.low_value, total.high_value) == (4000, 6000)
    assert total.high.estimate.by == "UK MoD"
    assert str(total.high.date) == "2025-06-15"
    troops = {r.measure: r for r in aired.troops.ranges}["kp-troops-sent"]
    # the Pentagon's 11,000-12,000 of 2024-11-04 replaced its own ~10,000 of
    # 2024-10-28; NIS's 15,000 and MSMT's 14,000+ stand beside it
    assert (troops.low_value, troops.high_value) == (11000, 15000)
    assert troops.authors == ("US DoD", "NIS", "MSMT")
    assert str(troops.low.date) == "2024-11-04"


def test_a_count_never_goes_backwards_because_another_author_is_lower(
    log: timeline.Log,
) -> None:
    # UK MoD's 6,000 (2025-06-15) stands after NIS's 4,700 (2025-04-30) and
    # NIS's later 2,000 killed replaces only NIS's own 600 killed
    for day in ("2025-05-01", "2025-06-20", "2025-09-30"):
        s = state(log, day).certain
        nis = figures(s, "kp-casualties-total")["NIS"]
        assert nis == "about 4,700 soldiers (NIS)"
    later = state(log, "2025-09-30").certain
    assert figures(later, "kp-killed") == {"NIS": "about 2,000 soldiers (NIS)"}
    assert figures(later, "kp-casualties-total")["UK MoD"] == (
        "at least 6,000 soldiers (UK MoD)"
    )


def test_capacities_and_counts_from_other_starts_are_other_measures(
    log: timeline.Log,
) -> None:
    s = state(log, "2025-08-01").certain
    by_measure: dict[str, set[str]] = {}
    for f in s.arms.estimates:
        by_measure.setdefault(f.estimate.measure, set()).add(f.estimate.qualifier)
    for measure, qualifiers in by_measure.items():
        assert ("up_to" in qualifiers) == ("capacity" in measure), measure
        if "capacity" in measure:
            assert qualifiers == {"up_to"}, measure
    assert figures(s, "kp-containers-since-2023-09") == {
        "ROK MND": "at least 10,000 containers (ROK MND)",
        "US NSC": "at least 1,000 containers (US NSC)",
        "MSMT": "at least 20,000 containers (MSMT)",
    }
    assert figures(s, "kp-containers-since-2022") == {
        "ROK DIA": "at least 13,000 containers (ROK DIA)"
    }


def test_an_imprecise_estimate_does_not_displace_a_precise_later_one() -> None:
    def count(event_id: str, occurred: str, low: int, by: str) -> timeline.Event:
        return _event(
            PersonnelDeployed,
            event_id,
            occurred,
            sender="KP",
            host="RU",
            kind=PersonnelKind.COMBAT_TROOPS,
            count=Estimate(measure="m", low=low, unit="soldiers", by=by),
        )

    log = timeline.Log(
        [
            count("precise", "2025-07-13", 12000, "A"),
            count("vague", "../2025-07-14", 2000, "A"),  # may be older
            count("other", "2025-07-14", 9000, "B"),  # another author
        ]
    )
    s = log.state(Relationship, as_of="2025-08-01").certain
    assert figures(s, "m") == {
        "A": "about 12,000 soldiers (A)",
        "B": "about 9,000 soldiers (B)",
    }
    assert s.sources("troops.estimates.m") == ("precise", "other")  # by author


def test_an_announcement_deploys_no_one_and_an_assessment_is_no_stance() -> None:
    log = timeline.Log(
        [
            _event(
                PersonnelAnnounced,
                "said",
                "2025-06-17",
                announcer="Shoigu",
                sender="KP",
                host="RU",
                kind=PersonnelKind.SAPPERS,
            ),
            _event(
                AssessmentMade,
                "read",
                "2025-06-18",
                assessor="an analyst",
                subject="KP",
                topic="motive",
                assessment="wants technology",
            ),
        ]
    )
    s = log.state(Relationship, as_of="2025-07-01").certain
    assert s.personnel("sappers").deployed is False
    assert [a.announcer for a in s.announcements] == ["Shoigu"]
    assert s.stances == ()
    assert s.stage is Stage.NONE


def test_the_stage_never_skips_alliance() -> None:
    common = {"treaty": "t"}
    troops = {"sender": "KP", "host": "RU", "kind": PersonnelKind.COMBAT_TROOPS}
    log = timeline.Log(
        [
            _event(
                TreatySigned,
                "signed",
                "2024-06-19",
                parties=(),
                mutual_defense=True,
                **common,
            ),
            _event(PersonnelDeployed, "sent", "2024-10-10", **troops),
            _event(TreatyInForce, "in-force", "2024-12-04", **common),
            _event(PersonnelDeployed, "fought", "2025-01-10", fought=True, **troops),
        ]
    )
    stages = [
        log.state(Relationship, as_of=day).certain.stage
        for day in ("2024-07-01", "2024-11-01", "2024-12-10", "2025-02-01")
    ]
    assert stages == [
        Stage.TREATY_SIGNED,
        Stage.TROOPS_DEPLOYED,
        Stage.ALLIANCE,  # in force, troops there, not yet fought
        Stage.CO_BELLIGERENCE,
    ]
    assert [s.rank for s in stages] == sorted(s.rank for s in stages)


def test_estimate_checks_its_bounds() -> None:
    with pytest.raises(timeline.InvalidEventError, match="above high"):
        Estimate(measure="m", low=5, high=3, unit="u", by="b")
    with pytest.raises(timeline.InvalidEventError, match="needs low"):
        Estimate(measure="m", high=3, qualifier="at_least", unit="u", by="b")
    with pytest.raises(timeline.InvalidEventError, match="give low, high"):
        Estimate(measure="m", unit="u", by="b")
    with pytest.raises(timeline.InvalidEventError, match="qualifier"):
        Estimate(measure="m", low=1, qualifier="roughly", unit="u", by="b")  # type: ignore[arg-type]
    assert str(Estimate(measure="m", low=1, high=2, unit="u", by="b")) == (
        "about 1–2 u (b)"
    )
    assert Estimate(
        measure="m", high=6, qualifier="up_to", unit="u", by="b"
    ).amount == ("up to 6")


# -- handler rules on imprecise dates --------------------------------------------


def _event(
    cls: type[timeline.Event], event_id: str, occurred: str, **payload: object
) -> timeline.Event:
    return cls(
        id=event_id,
        occurred=timeline.parse_edtf(occurred),
        recorded=datetime.date(2025, 1, 1),
        **payload,
    )


def test_status_never_moves_backwards() -> None:
    log = timeline.Log(
        [
            _event(TreatyInForce, "in-force", "2024-12-04", treaty="t"),
            # folded after the entry into force: its year ends later
            _event(
                TreatySigned,
                "signed",
                "2024",
                treaty="t",
                parties=("KP", "RU"),
                mutual_defense=True,
            ),
        ]
    )
    treaty = log.state(Relationship, as_of="2025-01-01").certain.treaty
    assert treaty.status == "in_force"
    assert str(treaty.signed) == "2024"
    assert str(treaty.in_force) == "2024-12-04"
    assert log.state(Relationship, as_of="2025-01-01").certain.sources(
        "treaty.status"
    ) == ("in-force",)


def test_dates_are_refined_never_coarsened() -> None:
    troops = {"sender": "KP", "host": "RU", "kind": PersonnelKind.COMBAT_TROOPS}
    log = timeline.Log(
        [
            _event(PersonnelDeployed, "exact", "2024-10-10", **troops),
            _event(PersonnelDeployed, "coarse", "2024-10", **troops),
            _event(PersonnelDeployed, "later", "2024-11-05", fought=True, **troops),
        ]
    )
    s = log.state(Relationship, as_of="2024-12-01").certain
    assert str(s.troops.since) == "2024-10-10"
    assert s.troops.fought
    assert s.sources("troops.since") == ("exact",)
    # a date inside the held one refines it
    log2 = timeline.Log(
        [
            _event(
                TreatySigned,
                "month",
                "2024-06",
                treaty="t",
                parties=(),
                mutual_defense=False,
            ),
            _event(
                TreatySigned,
                "day",
                "2024-06-19",
                treaty="t",
                parties=(),
                mutual_defense=True,
            ),
        ]
    )
    t = log2.state(Relationship, as_of="2024-07-01").certain.treaty
    assert str(t.signed) == "2024-06-19"
    assert t.mutual_defense


def test_a_warship_outcome_only_moves_up() -> None:
    ship = {"name": "K", "ship_class": "destroyer"}
    log = timeline.Log(
        [
            _event(
                WarshipLaunched,
                "failed",
                "2025-05-21",
                outcome=LaunchOutcome.FAILED,
                **ship,
            ),
            _event(
                WarshipLaunched,
                "relaunched",
                "2025-06-12",
                outcome=LaunchOutcome.RELAUNCHED,
                **ship,
            ),
            _event(
                WarshipLaunched, "vague", "2025", outcome=LaunchOutcome.RIGHTED, **ship
            ),
        ]
    )
    (only,) = log.state(Relationship, as_of="2026-01-01").certain.warships
    assert only.outcome is LaunchOutcome.RELAUNCHED
    assert str(only.date) == "2025-06-12"


def test_the_state_is_immutable() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        RelationshipState().stage = Stage.NONE  # type: ignore[misc]


# -- provenance -------------------------------------------------------------------


def test_provenance_names_the_events_behind_each_fact(log: timeline.Log) -> None:
    s = state(log, "2025-01-01").certain
    assert s.sources("treaty.status") == ("ver-treaty-in-force-2024-12-04",)
    assert s.sources("treaty.signed") == ("ver-treaty-signed-2024-06-19",)
    assert s.sources("troops.since") == ("ver-troops-first-shipment-2024-10-08",)
    assert "ver-first-clash-kursk-2024-11-04" in s.sources("troops.fought")
    assert set(s.sources("treaty")) >= {
        "ver-treaty-signed-2024-06-19",
        "ver-treaty-in-force-2024-12-04",
        "ver-duma-ratifies-2024-10-24",
    }
    february = state(log, "2025-02-01").certain
    assert february.sources("casualties.kp-casualties-total.NIS") == (
        "ver-nis-casualties-2025-01-13",
    )
    then = state(log, "2025-01-01", known_at=PROGRAMME_DAY).certain
    assert then.sources("treaty.mutual_defense") == (
        "prog-treaty-signed",
        "prog-treaty-mutual-defense",
    )
    # every cited event is in the log, and counted in that view
    counted = {e.id for e in log.timeline(PROGRAMME_DAY)}
    assert {i for _, ids in then.provenance for i in ids} <= counted


def test_as_dict_is_plain_json(log: timeline.Log) -> None:
    data = state(log, "2025-08-01").certain.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["treaty"]["status"] == "in_force"
    assert data["troops"]["since"] == "2024-10-08/2024-10-13"
    # one object per measure: the latest figure of any author
    assert data["casualties"]["kp-casualties-total"]["by"] == "UK MoD"


# -- the bundled types keep to their namespace -----------------------------------

_USER_TYPES = """
import datetime, sys, tempfile
from pathlib import Path
import timeline
from timeline._events import event_types, lookup_event_type

def declare():
    @timeline.event_type("summit.held")
    class Summit(timeline.Event):
        place: str
    return Summit

before = {kind.type_name for kind in event_types()}
if sys.argv[1] == "user-first":
    Summit = declare()
    import timeline.dataset
else:
    import timeline.dataset
    Summit = declare()
added = {kind.type_name for kind in event_types()} - before - {"summit.held"}
assert added and all(name.startswith("nkru.") for name in added), sorted(added)
assert lookup_event_type("summit.held") is Summit
assert lookup_event_type("nkru.summit.held") is timeline.dataset.SummitHeld
mine = Summit(id="s", occurred=timeline.parse_edtf("1850"),
              recorded=datetime.date(2025, 1, 1), place="Pilsen")
with tempfile.TemporaryDirectory() as tmp:
    with timeline.open_log(Path(tmp) / "mine.jsonl") as log:
        log.append(mine)
    with timeline.open_log(Path(tmp) / "mine.jsonl") as log:
        assert type(log.get("s")) is Summit
print("ok", len(added))
"""


@pytest.mark.parametrize("order", ["user-first", "dataset-first"])
def test_a_users_summit_held_and_the_bundled_types_live_side_by_side(
    order: str,
) -> None:
    # A fresh interpreter, so that the registry starts empty of the bundled
    # types: the user's "summit.held" registers before or after importing
    # timeline.dataset, and each name finds its own class.
    done = subprocess.run(
        [sys.executable, "-c", _USER_TYPES, order],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", str(len(EVENT_TYPES))]


def test_every_bundled_type_name_is_in_the_nkru_namespace() -> None:
    assert all(kind.type_name.startswith("nkru.") for kind in EVENT_TYPES)
    assert all(type(e).type_name.startswith("nkru.") for e in open_bundled())


# -- Japanese (issue 14 item 6) -------------------------------------------------

_AUDIT_DAYS = ("2021-12-31", "2022-06-01", "2024-10-20", "2024-12-15", "2025-04-30")
_EVENT_ID = re.compile(r"\b(?:prog|ver)-[a-z0-9-]+")
_ENGLISH_WORD = re.compile(r"[A-Za-z][a-z]{2,}")


def _english_words(text: str) -> list[str]:
    """Words of English left in Japanese text (event ids are ids, not words;
    acronyms and designations such as NHK, CRINKs, KN-23 or F-2 are kept)."""
    return _ENGLISH_WORD.findall(_EVENT_ID.sub("", text))


@pytest.mark.parametrize("known_at", [None, PROGRAMME_DAY])
def test_the_japanese_report_says_every_payload_in_japanese(
    capsys: pytest.CaptureFixture[str], known_at: str | None
) -> None:
    from timeline.cli import main

    for day in (*_AUDIT_DAYS, PROGRAMME_DAY):
        view = [] if known_at is None else ["--known-at", known_at]
        assert main(["state", "--as-of", day, "--lang", "ja", *view]) == 0
    out = capsys.readouterr().out
    assert "金正恩" in out or known_at is not None
    assert _english_words(out) == []


def test_chart_labels_and_the_page_panel_say_payloads_in_japanese(
    log: timeline.Log,
) -> None:
    from timeline._render.facets import describe
    from timeline._render.words import event_label

    for event in log:
        for short in (True, False):
            assert _english_words(event_label(event, "ja", short=short)) == [], event.id
    for day in _AUDIT_DAYS:
        for known_at in (None, PROGRAMME_DAY):
            answer = log.state(Relationship, as_of=day, known_at=known_at)
            for state in (answer.certain, answer.possible):
                for facet, text in describe(state, "ja").items():
                    assert _english_words(text) == [], (day, known_at, facet, text)


def test_every_payload_phrase_of_the_bundled_log_has_its_japanese(
    log: timeline.Log,
) -> None:
    from timeline.dataset._ja import JA
    from timeline.dataset.events import StoryEvent

    # free text of the payloads; codes, ids, measures and designations aside,
    # and the kinds, domains and outcomes, which have their own words
    skip = {"measure", "by", "since", "qualifier", "unit", "claim", "aircraft"}
    skip |= {"kind", "kinds", "domains", "outcome", "force"}
    envelope = {f.name for f in attrs.fields(StoryEvent)}

    def texts(value: object, key: str) -> list[str]:
        if isinstance(value, str):
            plain = key in skip or re.fullmatch(r"[A-Z0-9-]+", value)
            return [] if plain else [value]
        if isinstance(value, tuple):
            return [t for v in value for t in texts(v, key)]
        if attrs.has(type(value)) and not isinstance(value, timeline.UncertainDate):
            fields = attrs.fields(type(value))
            return [t for f in fields for t in texts(getattr(value, f.name), f.name)]
        return []

    found = {
        text
        for event in log
        for f in attrs.fields(type(event))
        if f.name not in envelope
        for text in texts(getattr(event, f.name), f.name)
    }
    assert "Kim Jong Un" in found  # the walk reaches the payloads
    assert sorted(found - set(JA)) == []
