"""Issuing into wallets over OpenID4VCI 1.0 (pre-authorised code flow, #16).

`metadata` and `proofs` are the protocol (no Flask, no database); `offers` and `exchange` are the
services (making an offer, the token and credential endpoints' work); `copies` signs the holder-bound
copy; `qr` draws the offer; `views` are the routes.
"""
