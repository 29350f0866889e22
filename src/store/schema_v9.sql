-- Departments as data (issue 15): other spellings a sheet may use for a department
-- (阳城县水利局 for 水利局). An alias resolves to exactly one department. The bureau's own
-- name is the setting `bureau`; the departments table lists the bureau and its cooperating
-- departments.
CREATE TABLE department_aliases (
    alias      TEXT PRIMARY KEY,
    department TEXT NOT NULL REFERENCES departments(name)
) STRICT;
