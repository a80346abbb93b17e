"""Plain-language sentences for the verification codes that `badges.verify` returns."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHECK_NAMES = {
    "parse": _l("読み取り"),
    "schema": _l("形式（Open Badges 3.0 スキーマ）"),
    "contexts": _l("用語の定義"),
    "issuer_key": _l("発行者の鍵"),
    "proof": _l("電子署名"),
    "claims": _l("JWTの内容の一致"),
    "validity": _l("有効期間"),
    "status": _l("取り消しの状態"),
    "recipient": _l("受け取った人"),
    "record": _l("学修記録（CLR 2.0）の構成"),
    "nested": _l("学修記録に含まれるバッジ"),
    # Open Badges 2.0
    "hosted": _l("発行者のサイトにあるバッジ（Open Badges 2.0）"),
    "badge_class": _l("バッジの定義と発行者"),
    "issuer": _l("発行者のプロフィール"),
    "key": _l("発行者の鍵"),
    "verification": _l("検証の方法"),
}

CHECK_MESSAGES = {
    "parsed": _l("証明書を読み取れました。"),
    "parse_error": _l("JSONまたはJWTとして読み取れません。"),
    "too_large": _l("大きすぎて読み取れません。"),
    "too_deep": _l("入れ子が深すぎて読み取れません。"),
    "jwt_malformed": _l("JWTの形式が正しくありません。"),
    "jwt_header_forbidden": _l("JWTのヘッダーに許可されていない項目があります。"),
    "jwt_alg_forbidden": _l("許可されていない署名方式です（EdDSA・ES256・RS256のみ受け付けます）。"),
    "jwt_kid_missing": _l("JWTに鍵の識別子（kid）がありません。"),
    "jwt_typ_invalid": _l("JWTの種類（typ）が正しくありません。"),
    "schema_valid": _l("Open Badges 3.0 の公式スキーマに適合しています。"),
    "clr_schema_valid": _l("CLR 2.0 の公式スキーマに適合しています。"),
    "clr_schema_invalid": _l("CLR 2.0 の公式スキーマに適合していません。"),
    "nested_valid": _l("このバッジの証明書は本物で、有効です。"),
    "clr_shape": _l("学修記録として、バッジの証明書を1件以上含んでいます。"),
    "not_clr": _l("学修記録（ClrCredential）ではありません。"),
    "clr_size": _l("学修記録に含まれるバッジの証明書の数が正しくありません（1〜50件）。"),
    "schema_invalid": _l("Open Badges 3.0 の公式スキーマに適合していません。"),
    "terms_defined": _l("すべての項目が定義された用語です。"),
    "undefined_terms": _l("定義されていない項目が含まれています（署名の対象外になるため受け付けません）。"),
    "context_not_bundled": _l("対応していないJSON-LDコンテキストが使われています。"),
    "context_invalid": _l("JSON-LDコンテキストが正しくありません。"),
    "key_resolved": _l("発行者の公開鍵を確認できました。"),
    "key_unresolved": _l("発行者の公開鍵を取得できませんでした。"),
    "key_unreachable": _l(
        "発行者の公開鍵のURLにつながりませんでした（時間切れ、大きすぎる応答、公開されていないアドレスを含みます）。"
    ),
    "issuer_key_mismatch": _l("署名した鍵が発行者のものではありません。"),
    "jwk_not_published": _l(
        "JWTのjwkヘッダーの鍵は、発行者が公開している鍵（DIDドキュメントまたは鍵セット）ではありません。"
    ),
    "proof_valid": _l("電子署名は正しく、発行後に書き換えられていません。"),
    "proof_invalid": _l("電子署名が一致しません。内容が書き換えられた可能性があります。"),
    "proof_missing": _l("電子署名がありません。"),
    "proof_unsupported": _l("対応していない署名方式です。"),
    "proof_malformed": _l("電子署名の形式が正しくありません。"),
    "proof_purpose_mismatch": _l("署名の目的が正しくありません。"),
    "jwt_key_mismatch": _l("JWTの鍵と署名方式が一致しません。"),
    "proof_not_checked": _l("前の確認に失敗したため、署名は確認していません。"),
    "claims_consistent": _l("JWTの内容と証明書の内容が一致しています。"),
    "claims_mismatch": _l("JWTの内容と証明書の内容が一致しません。"),
    "valid_period": _l("有効期間内です。"),
    "not_yet_valid": _l("まだ有効期間が始まっていません。"),
    "expired": _l("有効期限が切れています。"),
    "validity_invalid": _l("有効期間の書き方が正しくありません。"),
    "not_revoked": _l("発行者によって取り消されていません。"),
    "no_status": _l("取り消しの仕組みを持たない証明書です。"),
    "revoked": _l("発行者によって取り消されています。"),
    "suspended": _l("発行者によって一時停止されています。"),
    "status_unknown": _l("取り消しの状態を確認できませんでした（有効とはみなしません）。"),
    "status_not_checked": _l("署名が確認できないため、取り消しの状態は確認していません。"),
    "recipient_matches": _l("受け取った人のメールアドレスと一致します。"),
    "recipient_mismatch": _l("受け取った人のメールアドレスと一致しません。"),
    # Open Badges 2.0 (badges.ob2)
    "hosted_found": _l("発行者のサイトにバッジが公開されています。"),
    "hosted_missing": _l("バッジのURL（https://）がありません。"),
    "hosted_unreachable": _l(
        "発行者のサイトからバッジを取得できませんでした（時間切れ、大きすぎる応答、公開されていないアドレス、転送を含みます）。"
    ),
    "hosted_invalid": _l("発行者のサイトにあるものは Open Badges 2.0 のバッジ（Assertion）ではありません。"),
    "id_mismatch": _l("バッジのIDが、取得したURLと一致しません。"),
    "badge_class_found": _l("バッジの定義（BadgeClass）と発行者のプロフィールを確認できました。"),
    "badge_class_missing": _l("バッジの定義（BadgeClass）のURLがありません。"),
    "badge_class_unreachable": _l("バッジの定義（BadgeClass）を取得できませんでした。"),
    "badge_class_invalid": _l("バッジの定義（BadgeClass）が正しくありません。"),
    "issuer_missing": _l("発行者のプロフィールのURLがありません。"),
    "issuer_unreachable": _l("発行者のプロフィールを取得できませんでした。"),
    "issuer_invalid": _l("発行者のプロフィールが正しくありません。"),
    "key_missing": _l("発行者の公開鍵のURLがありません。"),
    "key_invalid": _l("発行者の公開鍵の文書（CryptographicKey）が正しくありません。"),
    "key_not_published": _l("署名した鍵は、発行者のプロフィールに載っている鍵ではありません。"),
    "ob2_alg_forbidden": _l("許可されていない署名方式です（Open Badges 2.0 の署名は RS256 のみ受け付けます）。"),
    "in_scope": _l("バッジは発行者が認めたサイトに公開されています。"),
    "out_of_scope": _l("バッジが、発行者の認めたサイト（allowedOrigins・startsWith）の外に置かれています。"),
    "verification_type_mismatch": _l("バッジの検証方法（hosted・signed）が、渡された形と合いません。"),
    "signed_needs_jws": _l("署名付きのバッジは、署名（JWS）のまま貼り付けてください。"),
}


def explain(code: str) -> str:
    return str(CHECK_MESSAGES.get(code, code))
