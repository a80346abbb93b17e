"""The demo data set as tables: the Hokkaido organisations, people, profiles and projects that
`talentbank.demo` loads, and who receives the demo badge. Names, places and skills are invented
for the demo; municipality codes and DSS skill codes are the real ones of `talentbank/data/`.
"""

from __future__ import annotations

from talentbank.models import OrganisationKind

# (name, English name, kind, municipality code, verified, description, owner e-mail local part)
ORGANISATIONS = [
    ("旭川市 デジタル戦略課", "Asahikawa City Digital Strategy Division", OrganisationKind.MUNICIPALITY, "012041", True,
     "行政手続きのオンライン化と、市内事業者のDX支援を進めています。", "asahikawa"),
    ("帯広市 ICT推進室", "Obihiro City ICT Promotion Office", OrganisationKind.MUNICIPALITY, "012076", True,
     "十勝の農業データ活用と、窓口業務の効率化に取り組んでいます。", "obihiro"),
    ("上士幌町 デジタル推進係", "Kamishihoro Town Digital Promotion", OrganisationKind.MUNICIPALITY, "016331", True,
     "人口約5,000人の町。ドローン配送やスマート農業の実証フィールドを提供しています。", "kamishihoro"),
    ("株式会社とかちデータ工房", "Tokachi Data Works Inc.", OrganisationKind.COMPANY, "012076", True,
     "酪農・畑作のデータ分析と、kintoneによる業務改善を手がける社員12名の会社です。", "tokachi-data"),
    ("オホーツク観光DX合同会社", "Okhotsk Tourism DX LLC", OrganisationKind.COMPANY, "012084", False,
     "流氷観光の予約・多言語案内をデジタル化するスタートアップです。", "okhotsk-dx"),
    ("道北工業高等専門学校", "Dohoku National College of Technology", OrganisationKind.SCHOOL, "012041", True,
     "情報・電気・機械の3学科。地域課題解決型のPBLとデジタルバッジを発行しています。", "dohoku-kosen"),
    ("北海道 総合政策部 デジタル推進局", "Hokkaido Government Digital Promotion Bureau", OrganisationKind.PREFECTURE,
     "011002", True, "北海道Society5.0の推進とデジタル人材の育成・確保を担当しています。", "pref-digital"),
]  # fmt: skip

# (display name, e-mail local part) — the first seven own the organisations above.
PEOPLE = [
    ("佐藤 美咲", "asahikawa"), ("高橋 健太", "obihiro"), ("鈴木 花子", "kamishihoro"),
    ("田中 翔", "tokachi-data"), ("伊藤 さくら", "okhotsk-dx"), ("渡辺 大輔", "dohoku-kosen"),
    ("山本 由美", "pref-digital"), ("中村 拓也", "nakamura"), ("小林 愛", "kobayashi"),
    ("加藤 陽介", "kato"), ("吉田 真央", "yoshida"), ("山田 直樹", "yamada"), ("佐々木 彩", "sasaki"),
    ("山口 亮", "yamaguchi"), ("松本 千尋", "matsumoto"), ("井上 悠斗", "inoue"), ("木村 菜々", "kimura"),
    ("林 海斗", "hayashi"), ("斎藤 結衣", "saito"), ("清水 蓮", "shimizu"), ("山崎 葵", "yamazaki"),
    ("森 颯太", "mori"), ("阿部 美月", "abe"), ("池田 蒼", "ikeda"), ("橋本 凛", "hashimoto"),
    ("石川 湊", "ishikawa"), ("前田 芽衣", "maeda"), ("藤田 大和", "fujita"), ("Emily Carter", "carter"),
    ("Nguyen Van An", "nguyen"),
]  # fmt: skip

# Extra members: (e-mail local part of the person, index into ORGANISATIONS)
MEMBERS = [("nakamura", 0), ("kobayashi", 3), ("kato", 5), ("yoshida", 6)]

# Talent-bank profiles: (local part, home municipality code or prefecture, headline, bio, work mode,
# hours per week, travel km, visibility, regions of interest (subprefecture slugs), skills as
# "code:level", outcomes as (title, role, organisation, "code:level" skills used, description)).
PROFILES = [
    ("nakamura", "012041", "旭川市役所で窓口DXを進める職員。週末はkintoneで町内会の名簿づくりを手伝っています。",
     "行政手続きのオンライン化を担当して5年。**住民目線の業務改善**が得意です。", "hybrid", 6, 80, "public",
     ["kamikawa"], ["dssp2-52:3", "dssp2-06:3", "dssp2-15:2"],
     [("窓口予約をkintoneで電子化", "要件整理と実装", "旭川市", ["dssp2-52:3", "dssp2-06:3"],
       "紙の予約台帳をkintoneアプリに置き換え、待ち時間を半分にしました。")]),
    ("kobayashi", "012076", "十勝の酪農データを分析するデータサイエンティスト", "牛群検定データと気象データを組み合わせた乳量予測モデルを作っています。",
     "remote", 10, None, "public", ["tokachi"], ["dssp2-35:4", "dssp2-36:3", "dssp2-40:3", "dssp2-29:3"],
     [("酪農家向け乳量予測ダッシュボード", "データ分析・可視化", "株式会社とかちデータ工房", ["dssp2-35:4", "dssp2-36:3"],
       "酪農家30戸のデータで、翌週の乳量を誤差5%以内で予測。")]),
    ("kato", "012041", "高専の情報工学科教員。IoTとセンサーで農業の省力化を研究", "学生と一緒に地域課題に取り組むPBLを担当しています。",
     "hybrid", 4, 150, "public", ["kamikawa", "sorachi"], ["dssp2-53:4", "dssp2-43:4", "dssp2-44:3"],
     [("ビニールハウスの温度監視IoT", "指導教員", "道北工業高等専門学校", ["dssp2-53:4"], "LoRaWANで20棟の温度を遠隔監視。")]),
    ("yoshida", "011002", "道庁でデジタル人材育成を担当", "", "onsite", 2, 300, "members", [], ["dssp2-15:3", "dssp2-17:3"], []),
    ("yamada", "東京都", "東京のWebエンジニア。北海道の地域課題に副業で関わりたい", "上士幌町出身。ふるさとに貢献したくて登録しました。React と Python が得意です。",
     "remote", 8, None, "public", ["tokachi"], ["dssp2-48:4", "dssp2-49:3", "dssp2-47:4", "dssp2-50:2"],
     [("観光案内の多言語Webアプリ", "フロントエンド開発", "", ["dssp2-48:4", "dssp2-47:4"], "英語・中国語・韓国語に対応した観光案内を開発。")]),
    ("sasaki", "012025", "函館の観光DXコーディネーター", "観光客の回遊データを分析し、商店街のイベント企画に活かしています。",
     "hybrid", 12, 60, "public", ["oshima"], ["dssp2-11:3", "dssp2-20:3", "dssp2-29:2"],
     [("函館朝市の人流分析", "企画・分析", "函館市", ["dssp2-29:2", "dssp2-11:3"], "Wi-Fiパケットセンサーで朝市の混雑を可視化。")]),
    ("yamaguchi", "012068", "釧路のネットワークエンジニア。防災情報システムに関心", "自治体の防災メール配信基盤を運用しています。",
     "onsite", 6, 120, "public", ["kushiro", "nemuro"], ["dssp2-50:3", "dssp2-61:3", "dssp2-58:3"], []),
    ("matsumoto", "016331", "上士幌町の地域おこし協力隊。ドローン配送の実証に参加", "町の物流課題をドローンで解決する実証の現地スタッフです。",
     "onsite", 20, 50, "public", ["tokachi"], ["dssp2-53:2", "dssp2-26:3"],
     [("ドローン配送実証の運航サポート", "現地運航スタッフ", "上士幌町", ["dssp2-53:2"], "週3便、12kmの配送ルートで安全運航を支援。")]),
    ("inoue", "012084", "北見の学生。GISで地図アプリを作るのが好き", "オホーツクの観光スポットをQGISでまとめています。インターン募集中！",
     "remote", 10, 30, "public", ["okhotsk"], ["dssp2-40:2", "dssp2-35:2"], []),
    ("kimura", "011002", "札幌のUXデザイナー。行政サービスの使いやすさを改善したい", "Figmaでのプロトタイピングとユーザーインタビューが得意です。",
     "remote", 8, None, "public", ["ishikari", "shiribeshi"], ["dssp2-20:4", "dssp2-22:3", "dssp2-25:3", "dssp2-23:3"],
     [("子育て支援アプリのUX改善", "UXリサーチ・デザイン", "", ["dssp2-20:4", "dssp2-23:3"], "保護者12人へのインタビューから申請画面を再設計。")]),
    ("hayashi", "012297", "富良野の農業法人でスマート農業を担当", "ドローンと衛星画像で畑の生育を見ています。", "onsite", 4, 40, "members",
     ["kamikawa"], ["dssp2-53:3", "dssp2-35:2"], []),
    ("saito", "大阪府", "大阪のデータエンジニア。リモートで北海道の自治体を支援", "BigQueryとdbtでデータ基盤を作っています。オープンデータ化のお手伝いができます。",
     "remote", 6, None, "public", [], ["dssp2-40:4", "dssp2-42:4", "dssp2-38:3"],
     [("市のオープンデータカタログ整備", "データ基盤設計", "", ["dssp2-38:3", "dssp2-40:4"], "CKANに120データセットを公開。")]),
    ("shimizu", "012173", "江別の大学院生。機械学習で除雪ルートを最適化", "冬の除雪計画を強化学習で効率化する研究をしています。",
     "hybrid", 10, 60, "public", ["ishikari"], ["dssp2-36:3", "dssp2-43:3", "dssp2-35:3"], []),
    ("yamazaki", "013951", "ニセコのホテルでインバウンド向けWeb予約を担当", "英語対応の予約サイト運用とSNS発信をしています。",
     "hybrid", 5, 30, "public", ["shiribeshi"], ["dssp2-11:3", "dssp2-52:2"], []),
    ("mori", "神奈川県", "セキュリティエンジニア。自治体の情報セキュリティ研修を副業で", "", "remote", 4, None, "public", [],
     ["dssp2-57:4", "dssp2-60:3", "dssp2-59:3"],
     [("町役場向け標的型メール訓練", "講師", "", ["dssp2-57:4"], "職員80人向けに訓練と研修を実施。")]),
    ("abe", "014583", "東川町の写真家・Webデザイナー", "町の移住促進サイトをデザインしました。", "hybrid", 8, 40, "public", ["kamikawa"],
     ["dssp2-25:4", "dssp2-24:3"], []),
    ("ikeda", "012068", "釧路の高校教員。情報Iの授業と地域連携", "", "onsite", 2, 50, "members", ["kushiro"], ["dssp2-43:2", "dssl-20:3"], []),
    ("hashimoto", "011002", "札幌のプロジェクトマネージャー。自治体システム標準化の経験あり",
     "ガバメントクラウド移行を3自治体で担当しました。", "hybrid", 6, 200, "public", ["ishikari", "sorachi"],
     ["dssp2-15:4", "dssp2-06:3", "dssp2-50:3"], []),
    ("ishikawa", "012084", "北見の漁協職員。水産物のトレーサビリティをデジタル化したい", "ホタテの出荷記録をExcelからクラウドへ移す準備中です。",
     "onsite", 3, 30, "public", ["okhotsk"], ["dssp2-52:2", "dssl-13:2"], []),
    ("maeda", "016373", "芽室の農家。スマート農業とデータ活用を勉強中", "", "onsite", 2, 20, "public", ["tokachi"], ["dssl-13:2", "dssl-20:2"], []),
    ("fujita", "012041", "旭川の高専生。Pythonで画像認識に挑戦中", "農作物の病気を画像から見分けるモデルを作っています。", "hybrid", 8, 20, "public",
     ["kamikawa"], ["dssp2-36:2", "dssp2-43:2"], []),
    ("carter", "011002", "Software engineer from Seattle living in Sapporo. Happy to help towns with English websites.",
     "I build accessible web apps with **TypeScript** and Python. Interested in tourism and disaster-prevention projects.",
     "remote", 10, None, "public", ["ishikari", "shiribeshi"], ["dssp2-48:4", "dssp2-49:4", "dssp2-47:4", "dssp2-50:3"],
     [("Bilingual disaster information site", "Lead developer", "", ["dssp2-48:4", "dssp2-47:4"],
       "A static, fast site with evacuation info in Japanese and English.")]),
    ("nguyen", "012076", "Agricultural data analyst in Obihiro, originally from Vietnam", "Working with dairy farms on feed optimisation.",
     "hybrid", 6, 50, "public", ["tokachi"], ["dssp2-35:3", "dssp2-29:3"], []),
]  # fmt: skip


# How many days a month the people who work on site give (the others set no limit). With the travel limits
# above, the match pages show near misses too: 井上 works remote only and 清水 lives beyond 60 km of the
# 旭川 internship, so both appear apart, each with the one thing that stops them.
ONSITE_DAYS = {"nakamura": 4, "kato": 2, "sasaki": 6, "yamaguchi": 8, "hashimoto": 2, "nguyen": 4, "abe": 2, "maeda": 1}

# Who is a student (the demo's internship admits students only), with their school.
STUDENTS = {"inoue": "北見工業大学", "shimizu": "北海道大学大学院", "fujita": "旭川工業高等専門学校"}

# Projects: (organisation index, title, problem, expected outcome, theme, municipality, work mode,
# hours per week, pay kind, yen, internship, needs as "code:level:must|nice")
PROJECTS = [
    (2, "ドローン配送の運航データを見える化したい", "町内の配送実証で飛行ログがたまっているが、Excelに貼るだけで活用できていない。",
     "運航の安全性と効率がひと目で分かるダッシュボードができ、週1回の振り返りで使われている。", "transport", "016331",
     "hybrid", 6, "hourly", 3000, False, ["dssp2-35:2:must", "dssp2-40:2:nice"]),
    (1, "酪農家向け 乳量データの共有の仕組みづくり", "牛群検定のデータを農家ごとに紙で配っており、比較や相談に使いにくい。",
     "農家が自分の乳量の推移と地域平均をスマホで見られる。", "agriculture", "012076", "remote", 8, "fixed", 400000,
     False, ["dssp2-35:3:must", "dssp2-48:2:nice"]),
    (0, "窓口予約のオンライン化（kintone）", "転入・転出の時期に窓口が混み、待ち時間が1時間を超える日がある。",
     "予約の半分以上がオンラインで入り、待ち時間が30分以内になる。", "admin_dx", "012041", "hybrid", 5, "hourly",
     2800, False, ["dssp2-52:2:must", "dssp2-06:2:nice"]),
    (5, "高専生インターン：IoTでビニールハウスを見守る", "近隣農家のハウスの温度管理を夜間も人が見回っている。",
     "温度異常をスマホに通知する試作機が3棟で動いている。", "agriculture", "012041", "onsite", 10, "internship", 30000,
     True, ["dssp2-53:1:must", "dssp2-43:1:nice"]),
]  # fmt: skip

# A KOSEN badge, endorsed by the prefecture, awarded to learners who claimed it: badge-verified skills.
BADGE_RECIPIENTS = ["kobayashi", "fujita", "inoue", "shimizu"]
