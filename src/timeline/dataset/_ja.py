"""The bundled timeline's words in Japanese: the names, places, bodies and
phrases its payloads carry (in English), as a Japanese reader knows them.

The report (``timeline state --lang ja``), the chart and the HTML page say
every payload text through :func:`term`; a text without an entry stays as
it is (a test checks that the bundled log needs none).

>>> term("Kim Jong Un", "ja"), term("Kim Jong Un", "en")
('金正恩', 'Kim Jong Un')
"""

from __future__ import annotations

from typing import Final

__all__ = ["JA", "term"]

JA: Final[dict[str, str]] = {
    # people, authors and assessors
    "Kim Jong Un": "金正恩",
    "Vladimir Putin": "プーチン",
    "Sergei Shoigu": "ショイグ",
    "Shoigu": "ショイグ",
    "NHK": "NHK",
    "NIS": "韓国国家情報院",
    "ROK JCS": "韓国合同参謀本部",
    "ROK MND": "韓国国防省",
    "ROK DIA": "韓国国防情報本部",
    "US DoD": "米国防総省",
    "US State Dept": "米国務省",
    "US NSC": "米国家安全保障会議",
    "UK MoD": "英国防省",
    "Ukraine (Zelensky)": "ゼレンスキー大統領",
    "Ukraine (HUR)": "ウクライナ国防省情報総局",
    "US intelligence": "米情報機関",
    "MSMT": "多国間制裁監視チーム",
    "OSC": "オープン・ソース・センター",
    # places
    "Pyongyang": "平壌",
    "Vostochny Cosmodrome, Amur Oblast": "アムール州ボストチヌイ宇宙基地",
    "Vostochny Cosmodrome": "ボストチヌイ宇宙基地",
    "Nampho": "南浦",
    "Rajin": "羅津",
    "Chongjin": "清津",
    "Kursk Oblast": "クルスク州",
    "Russian Far East": "極東ロシア",
    "eastern Russia": "ロシア東部",
    # wars, treaty, bodies
    "Russian invasion of Ukraine": "ロシアのウクライナ侵攻",
    "Ukrainian incursion into Kursk Oblast": "ウクライナ軍のクルスク州越境攻撃",
    "comprehensive-strategic-partnership": "包括的戦略的パートナーシップ条約",
    "Article 4": "第4条",
    "State Duma": "下院（国家会議）",
    "Federation Council": "上院（連邦会議）",
    "President": "大統領",
    "Chairman of State Affairs (decree)": "国務委員長（政令）",
    # ships, exercises, alignments
    "assessed": "推定",
    "confirmed": "確認",
    "denied": "否定",
    "?": "不明",
    "Choe Hyon": "崔賢",
    "Kang Kon": "姜健",
    "destroyer": "駆逐艦",
    "CRINKs": "CRINKs",  # so written in Japanese too (the programme's 「CRINKs」)
    "Freedom Edge": "フリーダム・エッジ",
    "Freedom Edge 24-2": "フリーダム・エッジ24-2",
    "bomber escort flight": "爆撃機の護衛飛行",
    "large-scale joint exercise": "大規模共同訓練",
    "multi-domain exercise": "多領域訓練",
    # arms
    "170mm SPGs and 240mm MRLs": "170mm自走砲・240mm多連装ロケット砲",
    "M1989 Koksan SPG": "M1989「コクサン」自走砲",
    "artillery shells": "砲弾",
    "artillery shells and rockets": "砲弾・ロケット弾",
    "containers of munitions": "弾薬のコンテナ",
    "rockets": "ロケット弾",
    "short-range ballistic missiles (KN-23)": "短距離弾道ミサイル（KN-23）",
    # roles
    "combat": "戦闘",
    "combat support": "戦闘支援",
    "construction": "建設",
    "construction engineering": "建設工事",
    "demining": "地雷除去",
    "logistics": "兵站",
    "position preparation": "陣地構築",
    "reinforcement": "増援",
    "training": "訓練",
    # diplomatic actions, measures taken, stances
    "backing as a permanent member of the UN Security Council": (
        "国連安保理常任理事国としての後ろ盾"
    ),
    "recognised the Russian-backed Donetsk and Luhansk 'people's republics'": (
        "ロシアが後ろ盾の「ドネツク人民共和国」「ルハンスク人民共和国」を承認"
    ),
    "vetoed the renewal of the UN Panel of Experts on North Korea sanctions": (
        "対北朝鮮制裁の国連専門家パネルの任期延長に拒否権を行使"
    ),
    "vetoed, with China, a Security Council resolution tightening sanctions "
    "on North Korea": "中国とともに、対北朝鮮制裁を強化する安保理決議案に拒否権を行使",
    "activated real-time sharing of North Korean missile-warning data": (
        "北朝鮮のミサイル警戒情報のリアルタイム共有を開始"
    ),
    "strengthening the coordination of ballistic-missile defence": (
        "弾道ミサイル防衛の連携を強化"
    ),
    "full support for Russia's war in Ukraine": (
        "ロシアのウクライナでの戦争を全面的に支持"
    ),
    # assessments
    "arms procurement": "武器調達",
    "motive": "動機",
    "stance": "立場",
    "share of Russia's ammunition": "ロシアの弾薬に占める割合",
    "troop deployment decision": "派兵の決定",
    "China keeps up economic support for North Korea but, wary that excessive "
    "North Korea–Russia military rapprochement will destabilise the region and "
    "erode its influence, maintains a cautious stance.": (
        "中国は北朝鮮への経済支援を続けつつ、北朝鮮とロシアの過度な軍事的接近が"
        "地域を不安定にし、自国の影響力を損なうことを警戒して、慎重な姿勢を保っている。"
    ),
    "Closer ties with Russia were highly attractive to North Korea, to overcome "
    "economic hardship and acquire advanced military technology.": (
        "経済難を乗り越え、先端の軍事技術を得たい北朝鮮にとって、"
        "ロシアとの関係強化は大きな魅力だった。"
    ),
    "North Korea has decided to send four brigades, about 12,000 soldiers "
    "including special forces, to the war in Ukraine.": (
        "北朝鮮は特殊部隊を含む4個旅団、約1万2,000人をウクライナ戦争に派遣することを決めた。"
    ),
    "North Korea supplies as much as 40% of the ammunition Russia uses in the "
    "war in Ukraine (unverified by Bloomberg).": (
        "ロシアがウクライナでの戦争で使う弾薬の最大4割を北朝鮮が供給している"
        "（ブルームバーグは確認できていない）。"
    ),
    "Russia is buying millions of artillery shells and rockets from North "
    "Korea; sanctions have forced it to turn to pariah states for military "
    "supplies.": (
        "ロシアは北朝鮮から数百万発の砲弾やロケット弾を購入しようとしている。"
        "制裁によって、軍需品を孤立国家に頼らざるを得なくなった。"
    ),
    "Under severe international sanctions, Russia turned to North Korea as a "
    "new source of weapons and resources.": (
        "厳しい国際制裁の下で、ロシアは武器と資源の新たな供給源として北朝鮮に目を向けた。"
    ),
    # monitoring findings (MSMT)
    "Russian data feedback improved North Korean missile guidance": (
        "ロシアのデータのフィードバックで北朝鮮のミサイルの誘導性能が向上"
    ),
    "about 8,000 North Korean workers employed in Russia": (
        "ロシアで働く北朝鮮の労働者は約8,000人"
    ),
    "at least one Pantsir-class air-defence vehicle and electronic-warfare "
    "equipment sent to North Korea since November 2024": (
        "2024年11月以降、少なくとも1両のパーンツィリ級防空車両と電子戦装備が北朝鮮へ"
    ),
    "more than 1 million barrels of oil to North Korea between March and "
    "October 2024": "2024年3〜10月に100万バレル超の石油が北朝鮮へ",
    "more than 11,000 troops sent in 2024 and some 3,000 more in early 2025": (
        "2024年に1万1,000人以上、2025年初めにさらに約3,000人を派兵"
    ),
    "more than 20,000 containers of munitions and related materiel sent to "
    "Russia since September 2023": (
        "2023年9月以降、弾薬と関連物資のコンテナ2万個以上がロシアへ"
    ),
    "some nine million rounds of artillery and rocket ammunition in 2024": (
        "2024年に砲弾・ロケット弾約900万発"
    ),
    # claims marked unverifiable: the part, and the reason
    "the whole claim": "主張全体",
    "construction materials": "建設資材",
    "already in use on the front line": "すでに前線で使われていること",
    "Russian communications equipment and fire-control systems aboard": (
        "ロシア製の通信機器と火器管制システムの搭載"
    ),
    "that North Korea–Russia ties led to the formation of the 'CRINKs' "
    "grouping": "北朝鮮とロシアの関係が「CRINKs」の形成につながったこと",
    "the motives (to overcome economic hardship and acquire advanced military "
    "technology)": "動機（経済難の克服と先端軍事技術の獲得）",
    "China's motives (wariness that North Korea–Russia military rapprochement "
    "destabilises the region and erodes its influence) are analysts' "
    "readings, and they disagree: CNN (June 2024) had China 'likely watching "
    "warily', Semafor (2024-10-29) Beijing 'in a tricky position', while a "
    "Seoul academic told PAP (2024-10-26) that China likely approved the troop "
    "deployment. China's foreign ministry only called the treaty a bilateral "
    "matter. No source states China's position as the programme does.": (
        "中国の動機（北朝鮮とロシアの軍事的接近が地域を不安定化させ、自国の影響力を"
        "損なうことへの警戒）は分析者の解釈で、見方も分かれている。CNN（2024年6月）は"
        "中国が「警戒しながら注視している」とし、セマフォー（2024年10月29日）は"
        "「難しい立場」と伝えたが、ソウルの研究者はPAP通信（2024年10月26日）に、"
        "中国は派兵を容認したとみられると述べた。中国外務省は条約を二国間の問題だと"
        "しただけで、番組のように中国の立場を述べた情報源はない。"
    ),
    "Fuel (oil from 2024-03-07) and food (from 2023-09) are sourced; no source "
    "found for Russian construction materials supplied to North Korea.": (
        "燃料（2024年3月7日以降の石油）と食料（2023年9月以降）は情報源で確認できたが、"
        "ロシアが北朝鮮に建設資材を供給したことを示す情報源は見つからなかった。"
    ),
    "North Korea's seeking of closer ties is dated by its recognition of the "
    "Donetsk and Luhansk 'people's republics' (2022-07-13) and the summits "
    "that followed; its motives are the programme's reading. Sources report "
    "what North Korea is believed to get in return (food, oil, air defence, "
    "satellite and missile help), not motives it stated.": (
        "北朝鮮がロシアとの関係強化に動いた時期は、「ドネツク・ルハンスク人民共和国」の"
        "承認（2022年7月13日）とその後の首脳会談で確認できるが、動機は番組の解釈である。"
        "情報源が伝えるのは北朝鮮が見返りに得ているとされるもの（食料、石油、防空、"
        "衛星やミサイルの支援）で、北朝鮮自身が述べた動機ではない。"
    ),
    "South Korea's Joint Chiefs of Staff (2025-05-01) only spoke of a "
    "possibility of Russian technology, funds or help for the Choe Hyon; "
    "analysts pointed to a radar resembling Russia's Pantsir-M. No source "
    "names Russian communications or fire-control systems aboard.": (
        "韓国合同参謀本部（2025年5月1日）は「崔賢」へのロシアの技術・資金・支援の"
        "可能性に触れただけで、分析者はロシアのパーンツィリMに似たレーダーを指摘した。"
        "ロシア製の通信機器や火器管制システムの搭載を示す情報源はない。"
    ),
    "The name was introduced by the Halifax International Security Forum "
    "(2023-10-17) for an alignment of China, Russia, Iran and North Korea; no "
    "source says the grouping was formed as a result of the North Korea–Russia "
    "ties.": (
        "この呼び名は中国・ロシア・イラン・北朝鮮の連携を指してハリファックス国際安全保障"
        "フォーラムが打ち出したもの（2023年10月17日）で、北朝鮮とロシアの関係深化の結果"
        "としてこの連合が形成されたとする情報源はない。"
    ),
    "The supply of M1989 'Koksan' guns is confirmed (NIS, 2024-11-20; about "
    "220 with 240mm launchers, ROK JCS, 2025-03-27); no source read confirms "
    "their use in combat.": (
        "M1989「コクサン」自走砲の供給は確認できる（韓国国家情報院、2024年11月20日。"
        "240mm多連装ロケット砲と合わせ約220門、韓国合同参謀本部、2025年3月27日）が、"
        "実戦で使われたことを確認した情報源は見つからなかった。"
    ),
    "The supply of shells and rockets in the millions is confirmed (NIS "
    "2023-11-01, MSMT 2025-05-29); the sources read say the shipments support "
    "Russia's war but do not document their use at the front.": (
        "数百万発規模の砲弾・ロケット弾の供給は確認できる（韓国国家情報院2023年11月1日、"
        "多国間制裁監視チーム2025年5月29日）。ただし読んだ情報源は、これらがロシアの"
        "戦争を支えるためのものだとは述べているが、前線での使用は記録していない。"
    ),
}


def term(text: str, lang: str) -> str:
    """``text`` (a name, place or phrase of the bundled timeline's payloads)
    as a reader of ``lang`` knows it: its Japanese for ``"ja"`` when the
    glossary has it, else ``text`` itself."""
    if lang != "ja":
        return text
    return JA.get(text, text)
