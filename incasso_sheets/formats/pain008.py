"""pain.008 (SEPA direct debit initiation) XML, written as a stream, column by column.

The document is never held whole: the group header and each block's header are small
f-strings, and the transactions of a block are formatted by polars over the whole column,
CHUNK_ROWS rows at a time, and written as each chunk is formed. Elements follow the XSD
order (docs/sepa.md §5.1); pain.008.001.02 and .08 differ in the namespace, in
`BIC` versus `BICFI` for the agents (docs/sepa.md §5.2), and in the debtor's address: `Ctry` and two
`AdrLine` in .02, structured in .08 (docs/sepa.md §2). The caller validates the file with
`formats.xsd.validate_file` before renaming it into place.

ISO 20022 names used here, and the model field each one carries:

    GrpHdr                   Message: MsgId message_id, CreDtTm created_at,
                             NbOfTxs count, CtrlSum total_cents, InitgPty/Nm creditor.name
    PmtInf                   Block: PmtInfId payment_info_id, BtchBookg batch_booking,
                             LclInstrm scheme, SeqTp sequence_type,
                             ReqdColltnDt collection_date
    Cdtr, CdtrAcct, CdtrAgt  creditor name, iban, bic (None: Othr/Id NOTPROVIDED)
    CdtrSchmeId              creditor.creditor_id, with SchmeNm/Prtry SEPA
    DrctDbtTxInf             one row of Block.transactions (model.TRANSACTION_SCHEMA)
    EndToEndId, InstdAmt     end_to_end_id, amount_cents
    MndtId, DtOfSgntr        mandate_id, mandate_date
    AmdmntInfDtls            OrgnlMndtId original_mandate_id; OrgnlDbtrAcct original_iban,
                             or Othr/Id SMNDA when smnda (a new account at another bank)
    DbtrAgt, Dbtr, DbtrAcct  debtor_bic (null: NOTPROVIDED), debtor_name + PstlAdr
                             (when send_address: .08 StrtNm street, PstCd postcode,
                             TwnNm city, Ctry country; .02 Ctry country, AdrLine street,
                             AdrLine postcode + city), debtor_iban
    RmtInf/Ustrd             remittance (null: no RmtInf)
"""

from __future__ import annotations

from typing import BinaryIO

import polars as pl

from incasso_sheets.core.model import TRANSACTION_SCHEMA, Block, Message
from incasso_sheets.core.money import cents_text_expr, format_cents
from incasso_sheets.formats import check_schema, write_column
from incasso_sheets.sepa.identifiers import SEPA_NON_EEA

NAMESPACES = {
    "pain.008.001.02": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02",
    "pain.008.001.08": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08",
}
# docs/sepa.md §5.2: the agent's BIC element was renamed in the 2019 version.
_BIC_TAG = {"pain.008.001.02": "BIC", "pain.008.001.08": "BICFI"}
# The versions whose SEPA usage rules allow only Ctry + two AdrLine for an address.
_UNSTRUCTURED = frozenset({"pain.008.001.02"})
CHUNK_ROWS = 50_000

_REQUIRED = ("end_to_end_id", "amount_cents", "mandate_id", "mandate_date", "debtor_name",
             "debtor_iban")
_OPTIONAL_TEXT = ("original_mandate_id", "original_iban", "debtor_bic", "street", "postcode",
                  "city", "country", "remittance")
_TEXT = ("end_to_end_id", "mandate_id", "debtor_name", "debtor_iban", *_OPTIONAL_TEXT)
_NOTPROVIDED = "<Othr><Id>NOTPROVIDED</Id></Othr>"


def write_pain008(out: BinaryIO, message: Message, version: str = "pain.008.001.08") -> None:
    """Write `message` as a pain.008 document of `version` to the binary stream `out`.

    The bytes depend only on the message and the version. Text in the message is already
    in the SEPA character set; `&`, `<` and `>` are escaped all the same.
    """
    if version not in NAMESPACES:
        raise ValueError(f"unknown pain.008 version {version!r}; known: {', '.join(NAMESPACES)}")
    bic_tag = _BIC_TAG[version]
    if not message.blocks:
        raise ValueError(f"message {message.message_id} has no blocks")
    for block in message.blocks:
        _check_block(block)
    out.write(_document_start(message, NAMESPACES[version]).encode("utf-8"))
    row = _transaction_expr(bic_tag, version)
    for block in message.blocks:
        out.write(_block_start(message, block, bic_tag).encode("utf-8"))
        frame = block.transactions
        for offset in range(0, frame.height, CHUNK_ROWS):
            write_column(out, _prepared(frame.slice(offset, CHUNK_ROWS)).select(row))
        out.write(b"    </PmtInf>\n")
    out.write(b"  </CstmrDrctDbtInitn>\n</Document>\n")


def _check_block(block: Block) -> None:
    """A block the writer cannot express is a bug upstream, not a problem in the user's data."""
    check_schema(block.transactions, TRANSACTION_SCHEMA, f"block {block.payment_info_id}")
    if block.transactions.height == 0:
        raise ValueError(f"block {block.payment_info_id} has no transactions")
    nulls = block.transactions.select(pl.col(c).null_count() for c in _REQUIRED).row(0)
    missing = [column for column, count in zip(_REQUIRED, nulls, strict=True) if count]
    if missing:
        raise ValueError(f"block {block.payment_info_id}: null in {', '.join(missing)}")
    # `check` refuses these debtors (bic-required); NOTPROVIDED for one would be a bug.
    tx = block.transactions
    without_bic = tx.filter(tx["debtor_bic"].is_null()
                            & tx["debtor_iban"].str.slice(0, 2).is_in(sorted(SEPA_NON_EEA)))
    if without_bic.height:
        raise ValueError(f"block {block.payment_info_id}: no BIC for the non-EEA account "
                         f"{without_bic['debtor_iban'][0]}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _agent(bic: str | None, bic_tag: str) -> str:
    inner = f"<{bic_tag}>{_escape(bic)}</{bic_tag}>" if bic else _NOTPROVIDED
    return f"<FinInstnId>{inner}</FinInstnId>"


def _document_start(message: Message, namespace: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{namespace}">\n'
        "  <CstmrDrctDbtInitn>\n"
        "    <GrpHdr>\n"
        f"      <MsgId>{_escape(message.message_id)}</MsgId>\n"
        f"      <CreDtTm>{message.created_at.isoformat(timespec='seconds')}</CreDtTm>\n"
        f"      <NbOfTxs>{message.count}</NbOfTxs>\n"
        f"      <CtrlSum>{format_cents(message.total_cents)}</CtrlSum>\n"
        f"      <InitgPty><Nm>{_escape(message.creditor.name)}</Nm></InitgPty>\n"
        "    </GrpHdr>\n"
    )


def _block_start(message: Message, block: Block, bic_tag: str) -> str:
    creditor = message.creditor
    # EPC IG: CdtrSchmeId at PmtInf level, always under PrvtId, scheme name SEPA (docs/sepa.md §6.4).
    return (
        "    <PmtInf>\n"
        f"      <PmtInfId>{_escape(block.payment_info_id)}</PmtInfId>\n"
        "      <PmtMtd>DD</PmtMtd>\n"
        f"      <BtchBookg>{'true' if message.batch_booking else 'false'}</BtchBookg>\n"
        f"      <NbOfTxs>{block.count}</NbOfTxs>\n"
        f"      <CtrlSum>{format_cents(block.total_cents)}</CtrlSum>\n"
        "      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl>"
        f"<LclInstrm><Cd>{_escape(block.scheme)}</Cd></LclInstrm>"
        f"<SeqTp>{_escape(block.sequence_type)}</SeqTp></PmtTpInf>\n"
        f"      <ReqdColltnDt>{block.collection_date.isoformat()}</ReqdColltnDt>\n"
        f"      <Cdtr><Nm>{_escape(creditor.name)}</Nm></Cdtr>\n"
        f"      <CdtrAcct><Id><IBAN>{_escape(creditor.iban)}</IBAN></Id></CdtrAcct>\n"
        f"      <CdtrAgt>{_agent(creditor.bic, bic_tag)}</CdtrAgt>\n"
        "      <ChrgBr>SLEV</ChrgBr>\n"
        "      <CdtrSchmeId><Id><PrvtId><Othr>"
        f"<Id>{_escape(creditor.creditor_id)}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm>"
        "</Othr></PrvtId></Id></CdtrSchmeId>\n"
    )


def _prepared(chunk: pl.DataFrame) -> pl.DataFrame:
    """Escaped text; empty optional text counts as absent (an empty element is invalid)."""
    markup = chunk.select(pl.col(n).str.contains_any(["&", "<", ">"]).any() for n in _TEXT).row(0)
    escape = {name for name, found in zip(_TEXT, markup, strict=True) if found}
    exprs = []
    for name in TRANSACTION_SCHEMA:
        column = pl.col(name)
        if name in escape:
            column = (column.str.replace_all("&", "&amp;", literal=True)
                      .str.replace_all("<", "&lt;", literal=True)
                      .str.replace_all(">", "&gt;", literal=True))
        if name in _OPTIONAL_TEXT:
            column = pl.when(column != "").then(column)
        exprs.append(column.alias(name))
    return chunk.select(exprs)


def _tag(name: str, value: pl.Expr | str) -> pl.Expr:
    """`<name>value</name>`; null when value is null (then left out of the row)."""
    value = pl.lit(value) if isinstance(value, str) else value
    return pl.concat_str([pl.lit(f"<{name}>"), value, pl.lit(f"</{name}>")])


def _join(*parts: pl.Expr | str) -> pl.Expr:
    """Concatenate, skipping null (absent optional) parts."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts],
                         ignore_nulls=True)


def _address_structured() -> pl.Expr:
    """pain.008.001.08: the structured address the EPC requires from November 2026
    (docs/sepa.md §2), in PostalAddress24's order: StrtNm, PstCd, TwnNm, Ctry."""
    col = pl.col
    return _join(_tag("StrtNm", col("street")), _tag("PstCd", col("postcode")),
                 _tag("TwnNm", col("city")), _tag("Ctry", col("country")))


def _address_lines(version: str) -> pl.Expr:
    """pain.008.001.02: the EPC's usage rules allow only Ctry and at most two AdrLine of 70
    (docs/sepa.md §2): the street on the first, postcode and town on the second. Each part
    fits (schemas.ADDRESS_LIMITS), so nothing is cut here."""
    col = pl.col
    town = pl.concat_str([col("postcode"), col("city")], separator=" ", ignore_nulls=True)
    town = pl.when(col("postcode").is_not_null() | col("city").is_not_null()).then(town)
    return _join(_tag("Ctry", col("country")), _tag("AdrLine", col("street")), _tag("AdrLine", town))


def _transaction_expr(bic_tag: str, version: str) -> pl.Expr:
    """One DrctDbtTxInf per row, in XSD order, six to seven lines each."""
    col = pl.col
    smnda = col("smnda").fill_null(False)
    amended = col("original_mandate_id").is_not_null() | col("original_iban").is_not_null() | smnda
    # docs/sepa.md §3: OrgnlDbtrAcct carries the old IBAN (same bank) or SMNDA
    # (another bank); OrgnlDbtrAgt is obsolete for SMNDA.
    original_account = (
        pl.when(col("original_iban").is_not_null())
        .then(_tag("OrgnlDbtrAcct", _tag("Id", _tag("IBAN", col("original_iban")))))
        .when(smnda)
        .then(pl.lit("<OrgnlDbtrAcct><Id><Othr><Id>SMNDA</Id></Othr></Id></OrgnlDbtrAcct>"))
    )
    amendment = (
        pl.when(amended)
        .then(_join("<AmdmntInd>true</AmdmntInd><AmdmntInfDtls>",
                    _tag("OrgnlMndtId", col("original_mandate_id")), original_account,
                    "</AmdmntInfDtls>"))
        .otherwise(pl.lit("<AmdmntInd>false</AmdmntInd>"))
    )
    debtor_agent = (
        pl.when(col("debtor_bic").is_not_null())
        .then(_tag(bic_tag, col("debtor_bic")))
        .otherwise(pl.lit(_NOTPROVIDED))
    )
    address_parts = [col(c) for c in ("street", "postcode", "city", "country")]
    address = pl.when(col("send_address").fill_null(False)
                      & pl.any_horizontal(p.is_not_null() for p in address_parts)).then(
        _join("<PstlAdr>", _address_lines(version) if version in _UNSTRUCTURED else _address_structured(),
              "</PstlAdr>"))
    return _join(
        "      <DrctDbtTxInf>\n        <PmtId>",
        _tag("EndToEndId", col("end_to_end_id")),
        '</PmtId><InstdAmt Ccy="EUR">', cents_text_expr(col("amount_cents")), "</InstdAmt>\n"
        "        <DrctDbtTx><MndtRltdInf>",
        _tag("MndtId", col("mandate_id")),
        _tag("DtOfSgntr", col("mandate_date").cast(pl.Utf8)),
        amendment,
        "</MndtRltdInf></DrctDbtTx>\n        <DbtrAgt><FinInstnId>", debtor_agent,
        "</FinInstnId></DbtrAgt>\n        <Dbtr>", _tag("Nm", col("debtor_name")), address,
        "</Dbtr><DbtrAcct><Id>", _tag("IBAN", col("debtor_iban")), "</Id></DbtrAcct>\n",
        pl.when(col("remittance").is_not_null()).then(
            _join("        <RmtInf>", _tag("Ustrd", col("remittance")), "</RmtInf>\n")),
        "      </DrctDbtTxInf>\n",
    )
