"""What the text gives only as numbers: the catalog queries that resolve them, and the
advisory lock's fields decoded (a user's pg_advisory_lock key, or some extension's lock)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import LockTarget, Report

#: system catalogs by OID (pg_class.oid of the catalog), as `object N of class C` names them
CLASSIDS: dict[int, str] = {
    1247: "pg_type",
    1255: "pg_proc",
    1259: "pg_class",
    1260: "pg_authid",
    1262: "pg_database",
    1213: "pg_tablespace",
    2604: "pg_attrdef",
    2606: "pg_constraint",
    2610: "pg_index",
    2612: "pg_language",
    2615: "pg_namespace",
    2617: "pg_operator",
    2618: "pg_rewrite",
    2620: "pg_trigger",
    3079: "pg_extension",
    3456: "pg_collation",
    3466: "pg_event_trigger",
    3592: "pg_shseclabel",
    6000: "pg_replication_origin",
    6100: "pg_subscription",
    6104: "pg_publication",
}


@dataclass(frozen=True)
class AdvisoryKey:
    """An advisory lock tag: [database, field2, field3, field4] as PostgreSQL prints it."""

    database: int
    field2: int
    field3: int
    field4: int

    @property
    def is_user_lock(self) -> bool:
        """pg_advisory_lock(bigint) sets field 4 to 1, pg_advisory_lock(int, int) to 2;
        anything else is an extension's use of the advisory lock space."""
        return self.field4 in (1, 2)

    def describe(self) -> str:
        if self.field4 == 1:
            key = (self.field2 << 32) | self.field3
            key = key - (1 << 64) if key >= 1 << 63 else key
            return f"pg_advisory_lock({key})"
        if self.field4 == 2:
            return f"pg_advisory_lock({_int4(self.field2)}, {_int4(self.field3)})"
        return (
            f"not a pg_advisory_lock key (field 4 = {self.field4}): an extension's lock "
            f"[{self.field2},{self.field3}]"
        )


def _int4(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def advisory_key(target: LockTarget) -> AdvisoryKey | None:
    f = target.fields
    values = [f.get(k) for k in ("field1", "field2", "field3", "field4")]
    if target.locktype != "advisory" or not all(isinstance(v, int) for v in values):
        return None
    return AdvisoryKey(*values)  # type: ignore[arg-type]


def describe_object(target: LockTarget) -> str | None:
    """`object 16500 of class 2606 of database 16388` -> which catalog the class is."""
    classid = target.fields.get("classid")
    if target.locktype != "object" or not isinstance(classid, int):
        return None
    return CLASSIDS.get(classid)


def catalog_queries(report: Report, known: dict[int, str]) -> list[str]:
    """SQL that names what the text only gives as numbers (run it in the database named)."""
    out: list[str] = []
    databases: set[int] = set()
    xids: list[str] = []

    def add(sql: str) -> None:
        if sql not in out:
            out.append(sql)

    for wait in report.all_waits:
        t = wait.target
        db = t.fields.get("database")
        if isinstance(db, int) and db:
            databases.add(db)
        oid = t.relation_oid
        if oid is not None and oid not in known:
            add(f"SELECT {oid}::regclass;  -- the relation of {t.object}")
        if t.locktype == "transactionid":
            xids.append(str(t.fields.get("transactionid")))
        elif t.locktype == "virtualxid":
            vxid = f"{t.fields.get('backend')}/{t.fields.get('localxid')}"
            add(
                f"SELECT l.pid, a.query FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                f"WHERE l.locktype = 'virtualxid' AND l.virtualxid = '{vxid}';"
            )
        elif t.locktype == "object":
            objid, classid = t.fields.get("objid"), t.fields.get("classid")
            add(f"SELECT pg_describe_object({classid}, {objid}, 0);")
        elif t.locktype == "advisory":
            key = advisory_key(t)
            if key is not None:
                add(
                    "SELECT pid, mode, granted FROM pg_locks WHERE locktype = 'advisory' "
                    f"AND classid = {key.field2} AND objid = {key.field3} "
                    f"AND objsubid = {key.field4};"
                )
    if xids:
        listed = ", ".join(f"'{x}'" for x in dict.fromkeys(xids))
        add(
            "SELECT l.transactionid, l.pid, a.state, a.query FROM pg_locks l JOIN "
            f"pg_stat_activity a USING (pid) WHERE l.transactionid IN ({listed});"
            "  -- while they still run"
        )
    for db in sorted(databases):
        add(f"SELECT datname FROM pg_database WHERE oid = {db};  -- connect to it for the above")
    return out
