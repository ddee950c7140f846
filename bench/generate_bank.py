"""Generate the input of the clear benchmark: a collection in a ledger and the bank's answer.

    python bench/generate_bank.py OUTDIR --debtors DEBTORS --invoices INVOICES \
        [--returns 0.01] [--seed 1]

1. runs `collect` (XSD validation off, to save time) on the two sheets with the clock at
   2026-11-27 10:00, leaving OUTDIR/incasso.toml, OUTDIR/incasso.db (the ledger as collect
   left it: copy it before clearing) and the collection files in OUTDIR/collect/;
2. writes OUTDIR/bank/camt053.xml the way ABN AMRO reports a batch booking (docs/sepa.md
   §10.3): one CRDT entry per batch, PMNT/IDDT/ESDD + N245, Btch with the PmtInfId, and
   every collected transaction listed as TxDtls (EndToEndId, MndtId, amount, debtor);
3. writes OUTDIR/bank/camt054.xml with returns of a `--returns` share of the transactions
   (chosen with `--seed`): one DBIT UPDD entry each, RvslInd, a reason code, a fee on the
   insufficient-funds ones;
4. writes OUTDIR/manifest.json: the parameters, the counts and the seconds each step took.

`--mt940-only` leaves the ledger and the camt files alone and writes OUTDIR/bank/mt940.940:
the same answer as one MT940 statement in ING's layout with batch booking off, so one
booking per collected transaction (docs/sepa.md §4.5): a `NDDT` credit with `/EREF/` for
each, then a `NRTI` debit with `/EREF/` and `/RTRN/` for each return (the same returns as
camt054.xml), and a `NCHG` charge naming the return where camt054.xml has a fee. It also writes
bank/mt940-batch.940, the same answer with batch booking on: one `/PREF/` credit per
collection block (ING's `/TRCD/01000/`), then the same returns and charges. The manifest
gets the counts and sizes of both.

Both XML files are written as they are read from the ledger, so memory stays flat. The
same ledger and seed give byte-identical bank files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

GENERATOR_VERSION = 1
COLLECT_NOW = dt.datetime(2026, 11, 27, 10, 0, 0)
OUR_IBAN = "NL91ABNA0417164300"
SETTINGS = """\
[creditor]
name = "Sportvereniging De Voorbeeldige"
iban = "NL91ABNA0417164300"
bic = "ABNANL2A"
creditor_id = "NL69ZZZ123456780000"

[accounts]
receivables = "1300"
suspense = "1290"
bank = "1100"
bank_charges = "4610"

[collection]
bank = "abnamro"
"""
# Reason codes of returns, weighted roughly as Dutch creditors see them; fee in cents.
RETURN_REASONS = (("AM04", 50, 250), ("MD06", 20, 0), ("MS02", 10, 0), ("MS03", 10, 250),
                  ("AC04", 5, 0), ("MD01", 5, 0))


def amount(cents: int, pad: int = 0) -> str:
    return f"{cents // 100}.{cents % 100:02d}".zfill(pad)


def collect(outdir: Path, debtors: Path, invoices: Path) -> dict:
    from incasso_sheets import api
    from incasso_sheets.collect.run import CollectRequest

    (outdir / "incasso.toml").write_text(SETTINGS, encoding="utf-8")
    result = api.collect(CollectRequest(debtors, invoices, outdir / "collect", COLLECT_NOW,
                                        config=outdir / "incasso.toml", validate_xsd=False))
    if not result.written:
        raise SystemExit(f"collect wrote nothing: {len(result.report.errors)} errors")
    return {"messages": len(result.messages),
            "batches": sum(len(m.blocks) for m in result.messages),
            "transactions": sum(m.count for m in result.messages),
            "total_cents": sum(m.total_cents for m in result.messages)}


def _head(root: str, container: str, message_id: str, day: str) -> str:
    kind = "camt.053.001.02" if root == "BkToCstmrStmt" else "camt.054.001.02"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{kind}">\n<{root}>\n'
            f"<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>{day}T23:59:00+01:00</CreDtTm></GrpHdr>\n"
            f"<{container}><Id>{message_id}</Id><CreDtTm>{day}T23:59:00+01:00</CreDtTm>\n"
            f"<Acct><Id><IBAN>{OUR_IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n")


def _tail(root: str, container: str) -> str:
    return f"</{container}>\n</{root}>\n</Document>\n"


def write_bank_files(outdir: Path, returns: float, seed: int) -> dict:
    """camt053.xml (every batch paid out, every transaction listed) and camt054.xml."""
    rng = random.Random(seed)
    reasons = [code for code, weight, _fee in RETURN_REASONS for _ in range(weight)]
    fees = {code: fee for code, _weight, fee in RETURN_REASONS}
    bank = outdir / "bank"
    bank.mkdir(exist_ok=True)
    returned: list[tuple] = []
    entries = details = 0
    with closing(sqlite3.connect(outdir / "incasso.db")) as conn, \
            open(bank / "camt053.xml", "w", encoding="utf-8", buffering=1 << 20) as out:
        blocks = conn.execute("SELECT payment_info_id, message_id, collection_date, count, total_cents "
                              "FROM blocks ORDER BY collection_date, payment_info_id").fetchall()
        last_day = max(b[2] for b in blocks)
        out.write(_head("BkToCstmrStmt", "Stmt", f"0417164300.{last_day}", last_day))
        for n, (pid, message_id, day, count, total) in enumerate(blocks, start=1):
            out.write(
                f'<Ntry><Amt Ccy="EUR">{amount(total, 18)}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
                f"<Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
                f"<AcctSvcrRef>0330{day.replace('-', '')}{n:06d}</AcctSvcrRef>"
                "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly>"
                "</Domn><Prtry><Cd>N245</Cd><Issr>ABNAMRO</Issr></Prtry></BkTxCd>\n<NtryDtls>"
                f"<Btch><MsgId>{message_id}</MsgId><PmtInfId>{pid}</PmtInfId><NbOfTxs>{count}</NbOfTxs>"
                f'<TtlAmt Ccy="EUR">{amount(total)}</TtlAmt><CdtDbtInd>CRDT</CdtDbtInd></Btch>\n')
            rows = conn.execute(
                "SELECT end_to_end_id, mandate_id, amount_cents, debtor_id, iban FROM transactions "
                "WHERE payment_info_id = ? ORDER BY rowid", (pid,))
            for e2e, mandate, cents, debtor, iban in rows:
                out.write(
                    f"<TxDtls><Refs><EndToEndId>{e2e}</EndToEndId><MndtId>{mandate}</MndtId></Refs>"
                    f'<AmtDtls><TxAmt><Amt Ccy="EUR">{amount(cents)}</Amt></TxAmt></AmtDtls>'
                    f"<RltdPties><Dbtr><Nm>Debiteur {debtor}</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}"
                    "</IBAN></Id></DbtrAcct></RltdPties></TxDtls>\n")
                details += 1
                if rng.random() < returns:
                    returned.append((e2e, mandate, cents, debtor, iban, day, rng.choice(reasons)))
            out.write(f"</NtryDtls><AddtlNtryInf>/TRTP/SEPA Incasso batch/PREF/{pid}/NRTX/{count}/"
                      "</AddtlNtryInf></Ntry>\n")
            entries += 1
        out.write(_tail("BkToCstmrStmt", "Stmt"))
    with open(bank / "camt054.xml", "w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(_head("BkToCstmrDbtCdtNtfctn", "Ntfctn", "0417164300.NTF.RETURNS", last_day))
        for n, (e2e, mandate, cents, debtor, iban, day, code) in enumerate(returned, start=1):
            fee = fees[code]
            charges = f'<Chrgs><Amt Ccy="EUR">{amount(fee)}</Amt></Chrgs>' if fee else ""
            booked = (dt.date.fromisoformat(day) + dt.timedelta(days=3)).isoformat()
            out.write(
                f'<Ntry><Amt Ccy="EUR">{amount(cents + fee)}</Amt><CdtDbtInd>DBIT</CdtDbtInd>'
                f"<RvslInd>true</RvslInd><Sts>BOOK</Sts><BookgDt><Dt>{booked}</Dt></BookgDt>"
                f"<ValDt><Dt>{booked}</Dt></ValDt><AcctSvcrRef>0331{n:012d}</AcctSvcrRef>"
                "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly>"
                f"</Domn></BkTxCd>{charges}<NtryDtls><TxDtls>"
                f"<Refs><EndToEndId>{e2e}</EndToEndId><MndtId>{mandate}</MndtId></Refs>"
                f'<AmtDtls><TxAmt><Amt Ccy="EUR">{amount(cents)}</Amt></TxAmt></AmtDtls>'
                f"<RltdPties><Dbtr><Nm>Debiteur {debtor}</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN>"
                f"</Id></DbtrAcct></RltdPties><RtrInf><Rsn><Cd>{code}</Cd></Rsn>"
                "<AddtlInf>/RTYP/RTRN</AddtlInf></RtrInf></TxDtls></NtryDtls></Ntry>\n")
        out.write(_tail("BkToCstmrDbtCdtNtfctn", "Ntfctn"))
    return {"payout_entries": entries, "tx_details": details, "returns": len(returned),
            "camt053_bytes": (bank / "camt053.xml").stat().st_size,
            "camt054_bytes": (bank / "camt054.xml").stat().st_size}


MT940_VERSION = 1


def _mt940_amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def _wrap86(text: str) -> str:
    """A `:86:` as ING writes it: 65 characters a line, the tag included (docs/sepa.md §4.5)."""
    text = ":86:" + text
    return "\r\n".join(text[i:i + 65] for i in range(0, len(text), 65)) + "\r\n"


def write_mt940(outdir: Path, returns: float, seed: int, *, batch: bool = False) -> dict:
    """bank/mt940.940: one statement, one booking per transaction, the returns after them.
    With `batch`, bank/mt940-batch.940: one `/PREF/` credit per collection block (batch
    booking on, as Rabobank always and the other Dutch banks by default deliver it), then
    the same returns and charges."""
    rng = random.Random(seed)  # drawn as write_bank_files draws: the same returns
    reasons = [code for code, weight, _fee in RETURN_REASONS for _ in range(weight)]
    fees = {code: fee for code, _weight, fee in RETURN_REASONS}
    path = outdir / "bank" / ("mt940-batch.940" if batch else "mt940.940")
    path.parent.mkdir(exist_ok=True)
    balance = bookings = 0
    returned: list[tuple] = []
    with closing(sqlite3.connect(outdir / "incasso.db")) as conn, \
            open(path, "w", encoding="utf-8", newline="", buffering=1 << 20) as out:
        blocks = conn.execute("SELECT payment_info_id, collection_date, count, total_cents FROM blocks "
                              "ORDER BY collection_date, payment_info_id").fetchall()
        first_day = dt.date.fromisoformat(blocks[0][1])
        out.write("{1:F01INGBNL2ABXXX0000000000}\r\n{2:I940INGBNL2AXXXN}\r\n{4:\r\n"
                  f":20:P{first_day:%y%m%d}000000001\r\n:25:{OUR_IBAN}EUR\r\n:28C:00000\r\n"
                  f":60F:C{first_day:%y%m%d}EUR0,00\r\n")
        for pid, day_text, count, total in blocks:
            day = dt.date.fromisoformat(day_text)
            if batch:  # ING: /TRCD/01000/ SEPA direct debit batch, /PREF/ the PmtInfId
                bookings += 1
                balance += total
                out.write(f":61:{day:%y%m%d%m%d}C{_mt940_amount(total)}NDDTNONREF//{bookings:014d}\r\n"
                          "/TRCD/01000/\r\n")
                out.write(_wrap86(f"/PREF/{pid}//REMI/USTD//SEPA INCASSO BATCH {count} POSTEN/"))
            rows = conn.execute(
                "SELECT end_to_end_id, mandate_id, amount_cents, debtor_id, iban FROM transactions "
                "WHERE payment_info_id = ? ORDER BY rowid", (pid,))
            for e2e, mandate, cents, debtor, iban in rows:
                if not batch:
                    bookings += 1
                    balance += cents
                    out.write(f":61:{day:%y%m%d%m%d}C{_mt940_amount(cents)}NDDTEREF//{bookings:014d}\r\n")
                    out.write(_wrap86(f"/EREF/{e2e}//MARF/{mandate}//CSID/NL69ZZZ123456780000//CNTP/"
                                      f"{iban}/NOTPROVIDED/Debiteur {debtor}/AMSTERDAM//REMI/USTD//"
                                      f"Factuur {e2e}/"))
                if rng.random() < returns:
                    returned.append((e2e, mandate, cents, iban, day, rng.choice(reasons)))
        last = first_day
        for e2e, mandate, cents, iban, day, code in returned:
            booked = day + dt.timedelta(days=3)
            last = max(last, booked)
            bookings += 1
            balance -= cents
            out.write(f":61:{booked:%y%m%d%m%d}D{_mt940_amount(cents)}NRTIEREF//{bookings:014d}\r\n"
                      "/TRCD/01216/\r\n")
            out.write(_wrap86(f"/RTRN/{code}//EREF/{e2e}//MARF/{mandate}//CSID/NL69ZZZ123456780000"
                              f"//CNTP/{iban}/NOTPROVIDED/Debiteur/AMSTERDAM//REMI/USTD//Storno/"))
            if fees[code]:
                bookings += 1
                balance -= fees[code]
                out.write(f":61:{booked:%y%m%d%m%d}D{_mt940_amount(fees[code])}NCHGEREF//"
                          f"{bookings:014d}\r\n/TRCD/09001/\r\n")
                out.write(_wrap86(f"/EREF/{e2e}//REMI/USTD//KOSTEN STORNO/"))
        out.write(f":62F:C{last:%y%m%d}EUR{_mt940_amount(balance)}\r\n-}}\r\n")
    prefix = "mt940_batch" if batch else "mt940"
    return {f"{prefix}_version": MT940_VERSION, f"{prefix}_bookings": bookings,
            f"{prefix}_returns": len(returned), f"{prefix}_bytes": path.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--debtors", type=Path)
    parser.add_argument("--invoices", type=Path)
    parser.add_argument("--returns", type=float, default=0.01, help="share of transactions returned")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mt940-only", action="store_true",
                        help="write bank/mt940.940 and bank/mt940-batch.940 from the collected ledger in OUTDIR")
    args = parser.parse_args(argv)
    outdir: Path = args.outdir
    if args.mt940_only:
        start = time.perf_counter()
        manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
        for batch in (False, True):
            manifest.update(write_mt940(outdir, manifest["params"]["returns"], manifest["params"]["seed"],
                                        batch=batch))
        manifest["mt940_seconds"] = round(time.perf_counter() - start, 1)
        (outdir / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        print(json.dumps(manifest, indent=1))
        return 0
    if args.debtors is None or args.invoices is None:
        parser.error("--debtors and --invoices are required (except with --mt940-only)")
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in ("incasso.db", "incasso.db-wal", "incasso.db-shm", "manifest.json"):
        (outdir / stale).unlink(missing_ok=True)
    start = time.perf_counter()
    collected = collect(outdir, args.debtors.resolve(), args.invoices.resolve())
    collect_seconds = time.perf_counter() - start
    start = time.perf_counter()
    written = write_bank_files(outdir, args.returns, args.seed)
    manifest = {
        "params": {"version": GENERATOR_VERSION, "debtors": str(args.debtors.resolve()),
                   "invoices": str(args.invoices.resolve()), "returns": args.returns,
                   "seed": args.seed},
        **collected, **written,
        "collect_seconds": round(collect_seconds, 1),
        "bank_files_seconds": round(time.perf_counter() - start, 1),
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    print(json.dumps(manifest, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
