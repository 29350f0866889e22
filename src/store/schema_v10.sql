-- Every record row bound to the audit log (issue 10, item 5). For each event that wrote rows,
-- one row here per record row it inserted, changed or deleted: the table, the row's key, the
-- SHA-256 of the row it replaced (`old`, NULL for an insert) and of the row it left (`new`,
-- NULL for a delete; followed by an 8-byte fingerprint per column, to name the field that
-- differs). The event's detail carries the count and SHA-256 of its list (`bound`), so these
-- rows are covered by the hash chain. Append-only like the log itself.
CREATE TABLE audit_rows (
    seq INTEGER NOT NULL REFERENCES audit_log(seq),
    tbl TEXT NOT NULL,
    key TEXT NOT NULL,
    old BLOB,
    new BLOB,
    PRIMARY KEY (seq, tbl, key)
) WITHOUT ROWID, STRICT;

CREATE TRIGGER audit_rows_no_update BEFORE UPDATE ON audit_rows
BEGIN SELECT RAISE(ABORT, '审计日志不能修改'); END;
CREATE TRIGGER audit_rows_no_delete BEFORE DELETE ON audit_rows
BEGIN SELECT RAISE(ABORT, '审计日志不能删除'); END;
CREATE TRIGGER audit_rows_no_replace BEFORE INSERT ON audit_rows
WHEN EXISTS (SELECT 1 FROM audit_rows WHERE seq = NEW.seq AND tbl = NEW.tbl AND key = NEW.key)
BEGIN SELECT RAISE(ABORT, '审计日志不能改写'); END;
