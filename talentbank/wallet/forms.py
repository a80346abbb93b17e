"""The holder's choice when asking for a wallet offer: with or without a transaction code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField

from talentbank.forms import BaseForm


class WalletOfferForm(BaseForm):
    tx_code = RadioField(
        _l("確認コード（ウォレットで入力する6桁の数字）"),
        choices=[
            ("on", _l("使う（おすすめ：QRコードを他の人に見られても、そのコードがなければ受け取れません）")),
            ("off", _l("使わない（コードを入力できないウォレットの場合）")),
        ],
        default="on",
    )

    @property
    def with_tx_code(self) -> bool:
        return self.tx_code.data != "off"
