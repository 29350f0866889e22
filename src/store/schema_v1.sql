-- Version 1: the registry of record (one list, two libraries, plans, users) and the audit log.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- 审计日志: hash chain, append only.
CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL,
    hash    TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能删除'); END;

-- 抽查事项清单
CREATE TABLE check_items (
    code        TEXT PRIMARY KEY,
    category_no INTEGER NOT NULL,
    category    TEXT NOT NULL,
    item        TEXT NOT NULL,
    target_type TEXT NOT NULL,
    item_class  TEXT NOT NULL,
    method      TEXT NOT NULL,
    body        TEXT NOT NULL,
    legal_basis TEXT NOT NULL
) STRICT;

-- 部门
CREATE TABLE departments (
    name TEXT PRIMARY KEY
) STRICT;

-- 监管对象库. `data` holds the whole record (JSON); the other columns are kept in step for
-- queries and uniqueness.
CREATE TABLE entities (
    code          TEXT PRIMARY KEY,
    uscc          TEXT,
    registry_code TEXT,
    name          TEXT NOT NULL,
    town          TEXT NOT NULL,
    credit_tier   TEXT,
    excluded      INTEGER NOT NULL,
    data          TEXT NOT NULL,
    changed_seq   INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

-- 执法人员库
CREATE TABLE inspectors (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    department  TEXT NOT NULL REFERENCES departments(name),
    on_duty     INTEGER NOT NULL,
    data        TEXT NOT NULL,
    changed_seq INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

-- 用户: operating-system logins with roles.
CREATE TABLE users (
    login     TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    roles     TEXT NOT NULL,
    inspector TEXT REFERENCES inspectors(code),
    active    INTEGER NOT NULL
) STRICT;

-- 抽查计划 and 抽查任务
CREATE TABLE plans (
    id               INTEGER PRIMARY KEY,
    year             INTEGER NOT NULL,
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    source           TEXT NOT NULL,
    tier_multipliers TEXT NOT NULL,
    UNIQUE (year, code)
) STRICT;

CREATE TABLE tasks (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    code    TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    spec    TEXT NOT NULL,
    active  INTEGER NOT NULL,
    UNIQUE (plan_id, code)
) STRICT;

-- 计划调整: every change to a plan during the year, with its written reason.
CREATE TABLE plan_changes (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES plans(id),
    task_code TEXT,
    change    TEXT NOT NULL,
    reason    TEXT NOT NULL,
    before    TEXT,
    after     TEXT,
    audit_seq INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;
CREATE TRIGGER plan_changes_no_update BEFORE UPDATE ON plan_changes
BEGIN SELECT RAISE(ABORT, '计划调整记录不能修改'); END;
CREATE TRIGGER plan_changes_no_delete BEFORE DELETE ON plan_changes
BEGIN SELECT RAISE(ABORT, '计划调整记录不能删除'); END;
